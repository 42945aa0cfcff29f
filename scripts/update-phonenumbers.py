#!/usr/bin/env python3
"""Moves ScreenPop to another release of libphonenumber's metadata, as PyPI `phonenumbers` carries it.

Usage (from the repository root; needs network access to PyPI):

    python3 scripts/update-phonenumbers.py 9.0.44

It installs the new version, writes it to scripts/phonenumbers.version, runs every generator
(scripts/generate-*.py) and every golden-corpus script (scripts/make-*-corpus.py), and prints what
changed: the regions whose numbering plans differ and how, and the inputs of the committed parse
corpus that the new version answers differently. Review the diff, run the tests, commit.
"""

import glob
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from oracle import PIN_FILE, pinned_version  # noqa: E402

# Run in a child process with a given phonenumbers installed: a JSON summary of every region's
# metadata, a comparable value per field.
SUMMARY = r'''
import json, phonenumbers
from phonenumbers.phonemetadata import PhoneMetadata as M
FIELDS = ["international_prefix", "preferred_international_prefix", "national_prefix",
          "national_prefix_for_parsing", "national_prefix_transform_rule", "leading_digits",
          "preferred_extn_prefix", "main_country_for_code", "mobile_number_portable_region"]
DESCS = ["general_desc", "fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost", "personal_number",
         "voip", "pager", "uan", "voicemail", "no_international_dialling"]
SHORT = ["general_desc", "toll_free", "standard_rate", "premium_rate", "short_code", "emergency",
         "carrier_specific", "sms_services"]
def desc(d):
    return None if d is None else [d.national_number_pattern, list(d.possible_length or ()),
                                   list(d.possible_length_local_only or ())]
def fmt(f):
    return [f.pattern, f.format, list(f.leading_digits_pattern), f.national_prefix_formatting_rule,
            bool(f.national_prefix_optional_when_formatting), f.domestic_carrier_code_formatting_rule]
out = {"version": phonenumbers.__version__, "regions": {}, "short": {}}
for cc, regions in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items()):
    for r in regions:
        m = M.metadata_for_nongeo_region(cc) if r == "001" else M.metadata_for_region(r)
        key = r if r != "001" else "001/+%d" % cc
        item = {f: getattr(m, f) for f in FIELDS}
        item.update({d: desc(getattr(m, d)) for d in DESCS})
        item["number_format"] = [fmt(f) for f in m.number_format]
        item["intl_number_format"] = [fmt(f) for f in m.intl_number_format]
        out["regions"][key] = item
for r in sorted(phonenumbers.shortnumberinfo.SUPPORTED_SHORT_REGIONS):
    m = M.short_metadata_for_region(r)
    out["short"][r] = {d: desc(getattr(m, d)) for d in SHORT}
print(json.dumps(out, sort_keys=True))
'''

# Run with the new version: the committed parse corpus's inputs answered again.
REANSWER = r'''
import sys, phonenumbers
from phonenumbers import PhoneNumberFormat as F
sys.path.insert(0, sys.argv[1])
def unescape(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out.append(c); i += 1; continue
        n = s[i + 1]
        if n == "x":
            out.append(chr(int(s[i + 2:i + 4], 16))); i += 4
        else:
            out.append({"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}[n]); i += 2
    return "".join(out)
ERRORS = {0: "INVALID_COUNTRY_CODE", 1: "NOT_A_NUMBER", 2: "TOO_SHORT_AFTER_IDD", 3: "TOO_SHORT_NSN", 4: "TOO_LONG"}
changed = {}
examples = {}
for line in open(sys.argv[2], encoding="utf-8"):
    line = line.rstrip("\n")
    if not line or line.startswith("#"):
        continue
    cols = line.split("\t")
    region, text = cols[0], unescape(cols[1])
    try:
        n = phonenumbers.parse(text, region)
        now = [phonenumbers.format_number(n, F.E164), "1" if phonenumbers.is_possible_number(n) else "0",
               "1" if phonenumbers.is_valid_number(n) else "0",
               phonenumbers.PhoneNumberType.to_string(phonenumbers.number_type(n)),
               phonenumbers.region_code_for_number(n) or "-"]
    except phonenumbers.NumberParseException as e:
        now = [ERRORS[e.error_type], "-", "-", "-", "-"]
    before = cols[2:7]
    if now != before:
        # Grouped by the number's region (or the default region when it did not parse).
        key = before[4] if before[4] != "-" else now[4] if now[4] != "-" else region
        changed[key] = changed.get(key, 0) + 1
        examples.setdefault(key, "  %s %s: %s -> %s" % (region, cols[1], " ".join(before), " ".join(now)))
total = sum(changed.values())
print("%d inputs of the parse corpus are answered differently, by region: %s" % (
    total, ", ".join("%s %d" % kv for kv in sorted(changed.items(), key=lambda kv: (-kv[1], kv[0])))))
print("one example per region (region, input: before -> after; columns e164 possible valid type region):")
print("\n".join(examples[k] for k in sorted(examples)))
'''


def run(args, **kw):
    print("$ " + " ".join(args), flush=True)
    return subprocess.run(args, cwd=ROOT, check=True, **kw)


def install(version):
    run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "phonenumbers==%s" % version])


def summary():
    out = subprocess.run([sys.executable, "-c", SUMMARY], cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def describe_changes(old, new):
    lines = []
    for section, label in (("regions", "numbering plan"), ("short", "short numbers")):
        before, after = old[section], new[section]
        for key in sorted(set(before) | set(after)):
            if key not in before:
                lines.append("  %s %s: added" % (key, label))
            elif key not in after:
                lines.append("  %s %s: removed" % (key, label))
            elif before[key] != after[key]:
                fields = [f for f in sorted(set(before[key]) | set(after[key]))
                          if before[key].get(f) != after[key].get(f)]
                lines.append("  %s %s: %s" % (key, label, ", ".join(fields)))
    return lines


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    version = sys.argv[1]
    old_version = pinned_version()
    install(old_version)
    old = summary()
    install(version)
    new = summary()
    with open(PIN_FILE, "w") as f:
        f.write(version + "\n")
    parse_corpus = os.path.join(ROOT, "Tests", "PhoneNumbersTests", "Fixtures", "parse-corpus.tsv")
    reanswered = subprocess.run([sys.executable, "-c", REANSWER, HERE, parse_corpus], cwd=ROOT, check=True,
                                capture_output=True, text=True).stdout
    for script in sorted(glob.glob(os.path.join(HERE, "generate-*.py"))):
        run([sys.executable, os.path.relpath(script, ROOT)])
    for script in sorted(glob.glob(os.path.join(HERE, "make-*-corpus.py"))):
        run([sys.executable, os.path.relpath(script, ROOT)])
    print()
    print("== phonenumbers %s -> %s" % (old_version, version))
    changes = describe_changes(old, new)
    print("%d region records changed:" % len(changes))
    print("\n".join(changes) if changes else "  (none)")
    print(reanswered.rstrip())
    print()
    subprocess.run(["git", "diff", "--stat"], cwd=ROOT)
    print("\nNext: swift test, then review and commit the diff (and docs/metadata-format.md's version).")


if __name__ == "__main__":
    main()
