#!/usr/bin/env python3
"""Differential test: `screenpop normalize` against PyPI `phonenumbers` at the pin, on mutated inputs.

    pip install phonenumbers==$(cat scripts/phonenumbers.version)
    swift build -c release --product screenpop
    python3 scripts/differential.py --count 100000 [--seed 1] [--screenpop .build/release/screenpop]

Makes COUNT phone-like inputs by mutating real ones (every region's example numbers): punctuation,
letters, digits of other scripts, plus signs, tel: and sip: URIs, extensions, truncation and
lengthening, text before and after, with a random default region (ZZ included). Feeds them to
`screenpop normalize --tsv` and compares every field it writes (e164 or error, valid, type, region,
extension, national, international, rfc3966) with what the oracle answers. Prints the agreement per
field and the first differences; exits 1 when any field differs. Deterministic for a given seed.
"""

import argparse
import json
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle import require_phonenumbers  # noqa: E402

phonenumbers = require_phonenumbers()
from phonenumbers import PhoneNumberFormat, PhoneNumberType  # noqa: E402

ERRORS = {0: "INVALID_COUNTRY_CODE", 1: "NOT_A_NUMBER", 2: "TOO_SHORT_AFTER_IDD", 3: "TOO_SHORT_NSN", 4: "TOO_LONG"}
FIELDS = ["e164", "error", "valid", "type", "region", "extension", "national", "international", "rfc3966"]
REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS) + ["ZZ"] * 20 + ["RU"] * 30
DIGIT_ZEROS = [0x0660, 0x06F0, 0x0966, 0x09E6, 0xFF10, 0x0E50, 0x1040]
PUNCTUATION = [" ", "-", ".", "(", ")", "/", "\u00a0", "\u2010", "\u2013", "\u2212", "\u30fc", "\uff0d", "~", "[", "]"]
PLUSES = ["+", "\uff0b", "++", "+ "]
LEAD = ["tel:", "sip:", "Tel. ", "phone: ", "тел. ", "моб ", "call ", "(", "#", "*", "8 ", "00", "0"]
TRAIL = [";ext=12", " ext. 123", " x7", " доб. 45", " #99", "@pbx.example.com", ";phone-context=+7", " ", ")", ".",
         "abc", ",,", " 12", "\u200b"]
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"


def examples():
    out = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for t in (PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE,
                  PhoneNumberType.PREMIUM_RATE, PhoneNumberType.VOIP, PhoneNumberType.SHARED_COST):
            n = phonenumbers.example_number_for_type(region, t)
            if n is not None:
                out.append((region, n))
    return out


def mutate(rng, region, n):
    style = rng.randrange(5)
    if style == 0:
        text = phonenumbers.format_number(n, PhoneNumberFormat.E164)
    elif style == 1:
        text = phonenumbers.format_number(n, PhoneNumberFormat.INTERNATIONAL)
    elif style == 2:
        text = phonenumbers.format_number(n, PhoneNumberFormat.NATIONAL)
    elif style == 3:
        text = phonenumbers.format_number(n, PhoneNumberFormat.RFC3966)
    else:
        text = phonenumbers.format_out_of_country_calling_number(n, rng.choice(["US", "RU", "DE", "GB", "JP", "AU"]))
    for _ in range(rng.randrange(4)):
        op = rng.randrange(12)
        chars = list(text)
        if op == 0 and chars:  # drop a character
            del chars[rng.randrange(len(chars))]
        elif op == 1:  # insert punctuation
            chars.insert(rng.randrange(len(chars) + 1), rng.choice(PUNCTUATION))
        elif op == 2:  # insert a digit
            chars.insert(rng.randrange(len(chars) + 1), str(rng.randrange(10)))
        elif op == 3:  # digits of another script
            zero = rng.choice(DIGIT_ZEROS)
            chars = [chr(zero + ord(c) - 48) if "0" <= c <= "9" and rng.random() < 0.7 else c for c in chars]
        elif op == 4:  # letters (vanity numbers, typos)
            chars.insert(rng.randrange(len(chars) + 1), rng.choice(LETTERS))
        elif op == 5:
            chars = list(rng.choice(LEAD)) + chars
        elif op == 6:
            chars = chars + list(rng.choice(TRAIL))
        elif op == 7:  # plus signs
            stripped = "".join(chars).lstrip("+")
            chars = list(rng.choice(PLUSES) + stripped)
        elif op == 8 and len(chars) > 3:  # truncate
            chars = chars[:rng.randrange(2, len(chars))]
        elif op == 9:  # lengthen
            chars += [str(rng.randrange(10)) for _ in range(rng.randrange(1, 6))]
        elif op == 10:  # remove all separators
            chars = [c for c in chars if c.isdigit() or c == "+"]
        else:  # a national prefix or IDD in front
            chars = list(rng.choice(["8", "0", "00", "011", "810", "8 10 "])) + chars
        text = "".join(chars)
    text = text.replace("\t", " ").replace("\n", " ").replace("\r", " ")
    return rng.choice(REGIONS) if rng.random() < 0.5 else region, text


def oracle(region, text):
    try:
        n = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as e:
        return {"e164": None, "error": ERRORS[e.error_type], "valid": None, "type": None, "region": None,
                "extension": None, "national": None, "international": None, "rfc3966": None}
    return {
        "e164": phonenumbers.format_number(n, PhoneNumberFormat.E164),
        "error": None,
        "valid": phonenumbers.is_valid_number(n),
        "type": PhoneNumberType.to_string(phonenumbers.number_type(n)),
        "region": phonenumbers.region_code_for_number(n),
        "extension": n.extension,
        "national": phonenumbers.format_number(n, PhoneNumberFormat.NATIONAL),
        "international": phonenumbers.format_number(n, PhoneNumberFormat.INTERNATIONAL),
        "rfc3966": phonenumbers.format_number(n, PhoneNumberFormat.RFC3966),
    }


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--screenpop", default=os.path.join(root, ".build", "release", "screenpop"))
    ap.add_argument("--show", type=int, default=20, help="differences printed")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    sources = examples()
    cases = [mutate(rng, *rng.choice(sources)) for _ in range(args.count)]
    # The region of a line is what normalize --tsv reads before the tab; "" is not a region code.
    body = "".join("%s\t%s\n" % (region, text) for region, text in cases).encode("utf-8")
    run = subprocess.run([args.screenpop, "normalize", "--tsv"], input=body, capture_output=True, check=True)
    lines = run.stdout.decode("utf-8").split("\n")[:-1]
    if len(lines) != len(cases):
        sys.exit("screenpop wrote %d lines for %d inputs" % (len(lines), len(cases)))
    differing = {f: 0 for f in FIELDS}
    outcomes = {}
    shown = 0
    any_difference = 0
    for (region, text), line in zip(cases, lines):
        got = json.loads(line)
        want = oracle(region, text)
        outcome = want["error"] or ("valid" if want["valid"] else "parsed, not valid")
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        bad = [f for f in FIELDS if got.get(f) != want[f]]
        if bad:
            any_difference += 1
            for f in bad:
                differing[f] += 1
            if shown < args.show:
                shown += 1
                print("%s %r: %s" % (region, text, "; ".join("%s ours %r oracle %r" % (f, got.get(f), want[f])
                                                             for f in bad)))
    total = len(cases)
    print("%d inputs (seed %d), phonenumbers %s: %d differ (%.4f%% agree on every field)"
          % (total, args.seed, phonenumbers.__version__, any_difference, 100.0 * (total - any_difference) / total))
    print("the oracle's answers: " + ", ".join("%s %d" % kv for kv in sorted(outcomes.items(), key=lambda kv: -kv[1])))
    for f in FIELDS:
        print("  %-14s %.4f%% agree" % (f, 100.0 * (total - differing[f]) / total))
    return 1 if any_difference else 0


if __name__ == "__main__":
    sys.exit(main())
