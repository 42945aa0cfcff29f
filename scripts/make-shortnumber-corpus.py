#!/usr/bin/env python3
"""Generates the short-number golden corpus from the pinned PyPI `phonenumbers`.

    python3 scripts/make-shortnumber-corpus.py

Writes Tests/PhoneNumbersTests/Fixtures/shortnumber-corpus.tsv (deterministic: a fixed seed and
sorted iteration). Each line is one text dialled in one region, with what `phonenumbers`'
shortnumberinfo answers for it; Tests/PhoneNumbersTests/ShortNumberCorpusTests.swift compares
line by line. Columns, tab-separated (text escaped as in the other corpora, corpus_format.py):

    1  region      the region the text is parsed with (parse(text, region))
    2  asked       the region passed to the *_for_region functions and to the emergency ones
    3  text        the text as dialled
    4  number      country code and national significant number, `7 112`, or `-` when parse fails
    5  possible_r  is_possible_short_number_for_region(number, asked)       1/0 (`-` without number)
    6  possible    is_possible_short_number(number)
    7  valid_r     is_valid_short_number_for_region(number, asked)
    8  valid       is_valid_short_number(number)
    9  cost_r      expected_cost_for_region(number, asked): TOLL_FREE, STANDARD_RATE, PREMIUM_RATE,
                   UNKNOWN_COST
    10 cost        expected_cost(number)
    11 carrier_r   is_carrier_specific_for_region(number, asked)
    12 carrier     is_carrier_specific(number)
    13 sms_r       is_sms_service_for_region(number, asked)
    14 emergency   is_emergency_number(text, asked)
    15 connects    connects_to_emergency_number(text, asked)
"""

import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpus_format import escape, to_script  # noqa: E402
from oracle import require_phonenumbers  # noqa: E402

SEED = 20261205
MAX_BYTES = 300 * 1024
COSTS = {0: "TOLL_FREE", 1: "STANDARD_RATE", 2: "PREMIUM_RATE", 3: "UNKNOWN_COST"}
DESCS = ["toll_free", "standard_rate", "premium_rate", "short_code", "emergency", "carrier_specific",
         "sms_services"]
COMMON = ["112", "911", "999", "000", "110", "100", "101", "102", "103", "118", "900", "0611", "116000",
          "116111", "15", "17", "18", "08", "1"]
# Digits of other scripts and characters that Python's unicodedata.digit reads as digits.
SCRIPT_ZEROS = [0xFF10, 0x660, 0x966]
OTHER_DIGITS = {"1": ["\u00b9", "\u2460"], "2": ["\u00b2", "\u2461"], "0": ["\u2070", "\u24ea"]}


def main():
    pn = require_phonenumbers()
    from phonenumbers import shortnumberinfo as sni
    from phonenumbers.phonemetadata import PhoneMetadata
    from phonenumbers.shortdata import _AVAILABLE_REGION_CODES

    rng = random.Random(SEED)
    regions = sorted(_AVAILABLE_REGION_CODES)

    def b(v):
        return "1" if v else "0"

    def row(region, asked, text):
        try:
            num = pn.parse(text, region)
        except pn.NumberParseException:
            num = None
        if num is None:
            cols = ["-"] + ["-"] * 9
        else:
            nsn = pn.national_significant_number(num)
            cols = ["%d %s" % (num.country_code, nsn),
                    b(sni.is_possible_short_number_for_region(num, asked)),
                    b(sni.is_possible_short_number(num)),
                    b(sni.is_valid_short_number_for_region(num, asked)),
                    b(sni.is_valid_short_number(num)),
                    COSTS[sni.expected_cost_for_region(num, asked)],
                    COSTS[sni.expected_cost(num)],
                    b(sni.is_carrier_specific_for_region(num, asked)),
                    b(sni.is_carrier_specific(num)),
                    b(sni.is_sms_service_for_region(num, asked))]
        cols += [b(sni.is_emergency_number(text, asked)), b(sni.connects_to_emergency_number(text, asked))]
        return "\t".join([region, asked, escape(text)] + cols)

    lines = []
    seen = set()

    def add(region, text, asked=None):
        key = (region, asked or region, text)
        if key in seen or len(text) > 60:
            return
        seen.add(key)
        lines.append(row(region, asked or region, text))

    for region in regions:
        short = PhoneMetadata.short_metadata_for_region(region)
        main_md = PhoneMetadata.metadata_for_region(region)
        cc = main_md.country_code if main_md else None
        idd = (main_md.preferred_international_prefix or main_md.international_prefix or "00") if main_md else "00"
        if not idd.isdigit():
            idd = "00"
        examples = []
        for slot in DESCS:
            desc = getattr(short, slot)
            if desc is not None and desc.example_number:
                examples.append(desc.example_number)
        examples = sorted(set(examples))
        for e in examples:
            add(region, e)
            i = rng.randrange(len(e))
            mutations = [e + str(rng.randrange(10)),                        # one digit more
                         e[:-1] if len(e) > 2 else e,                      # one digit less
                         e[:i] + str(rng.randrange(10)) + e[i + 1:],       # one digit changed
                         "0" + e]                                          # national-prefix-like
            add(region, rng.choice(mutations))
        if short.emergency is not None and short.emergency.example_number:
            e = short.emergency.example_number
            add(region, e + "666")                           # more digits: connects, unless BR, CL, NI
            if cc:
                add(region, "+%d %s" % (cc, e))              # IDD-prefixed: never emergency
            variants = ["-".join(e), "Tel: " + e, "(" + e + ")", e + "#", e + " 5",
                        to_script(e, rng.choice(SCRIPT_ZEROS))]
            if cc:
                variants += ["\uff0b%d%s" % (cc, e), "%s%d%s" % (idd, cc, e)]
            if e[0] in OTHER_DIGITS:
                variants.append(rng.choice(OTHER_DIGITS[e[0]]) + e[1:])
            for v in rng.sample(variants, 2):
                add(region, v)
        for c in rng.sample(COMMON, 5):
            add(region, c)
        n = rng.randint(3, 6)
        add(region, "".join(rng.choice("0123456789") for _ in range(n)))
        # Asked for another region than the one the text was parsed with.
        other = rng.choice(regions + ["001", "ZZ"])
        if examples:
            add(region, examples[0], other)
        add(region, "112", other)

    # Shared calling codes: the region-free functions pick among the regions of the code.
    for region in ["US", "CA", "AG", "BS", "PR", "RU", "KZ", "GB", "GG", "JE", "IM", "AU", "CC", "CX", "FR",
                   "MF", "BL", "GP", "FI", "AX", "NO", "SJ", "MA", "EH", "IT", "VA"]:
        for other in ["US", "CA", "RU", "KZ", "GB", "AU", "FI", "NO", "IT", "VA", "MA"]:
            short = PhoneMetadata.short_metadata_for_region(other)
            for slot in DESCS:
                desc = getattr(short, slot)
                if desc is not None and desc.example_number:
                    add(region, desc.example_number)

    text = "\n".join(lines) + "\n"
    if len(text.encode("utf-8")) > MAX_BYTES:
        sys.exit("corpus is %d bytes, over the %d limit" % (len(text.encode("utf-8")), MAX_BYTES))
    out = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Tests", "PhoneNumbersTests",
                       "Fixtures", "shortnumber-corpus.tsv")
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %s: %d lines, %d bytes" % (os.path.relpath(out), len(lines), len(text.encode("utf-8"))))


if __name__ == "__main__":
    main()
