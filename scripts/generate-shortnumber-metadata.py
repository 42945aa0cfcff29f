#!/usr/bin/env python3
"""Compiles libphonenumber's short-number metadata into ScreenPop's short-number image.

The source is the pinned PyPI `phonenumbers` (scripts/phonenumbers.version): every region of
`phonenumbers.shortdata`, read through `PhoneMetadata.short_metadata_for_region`. Each region's
descriptions (general, toll free, standard rate, premium rate, short code, emergency, carrier
specific, SMS services) become minimal DFAs over the digits (scripts/digit_regex.py), with their
possible lengths and example numbers; the emergency pattern is compiled a second time as a
prefix-mode DFA for `connects_to_emergency_number`. The output,
Sources/PhoneNumbers/Generated/ShortNumberMetadata+Data.swift, is deterministic.
docs/metadata-format.md ("The short-number image") describes it.

    python3 scripts/generate-shortnumber-metadata.py           # regenerate
    python3 scripts/generate-shortnumber-metadata.py --check   # CI: regenerate into a temporary
                                                               # file, self-check, compare
"""

import argparse
import difflib
import itertools
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from digit_regex import Writer, compile_dfa, dfa_rows, image_members, length_mask, self_check  # noqa: E402
from oracle import require_phonenumbers  # noqa: E402

FORMAT_VERSION = 1

# The order of descriptions in a region record; the same order as Swift's `ShortNumberDescSlot`.
DESC_SLOTS = ["general_desc", "toll_free", "standard_rate", "premium_rate", "short_code", "emergency",
              "carrier_specific", "sms_services"]


def read_regions(phonenumbers):
    from phonenumbers.phonemetadata import PhoneMetadata
    from phonenumbers.shortdata import _AVAILABLE_REGION_CODES

    regions = []
    for code in sorted(_AVAILABLE_REGION_CODES):
        metadata = PhoneMetadata.short_metadata_for_region(code)
        if metadata is None:
            continue
        if not (len(code) == 2 and code.isalpha() and code.isupper()):
            raise SystemExit("unexpected short-number region %r" % code)
        descs = []
        for slot in DESC_SLOTS:
            desc = getattr(metadata, slot)
            if desc is None or desc.national_number_pattern is None:
                descs.append(None)
                continue
            lengths = [n for n in desc.possible_length if n > 0]
            if not lengths:
                # Every description of the data has lengths; an empty list would mean "no length
                # check" to the oracle, which the image cannot say.
                raise SystemExit("%s %s has a pattern but no possible lengths" % (code, slot))
            pattern = re.sub(r"\s", "", desc.national_number_pattern)
            descs.append((pattern, lengths, desc.example_number or ""))
        regions.append((code, descs))
    return regions


def build(regions):
    dfas, dfa_index = [], {}

    def dfa(pattern, prefix_mode):
        key = (pattern, prefix_mode)
        if key not in dfa_index:
            dfa_index[key] = len(dfas)
            dfas.append(compile_dfa(pattern, prefix_mode))
        return dfa_index[key]

    pool = bytearray()

    def pooled(text):
        data = text.encode("ascii")
        found = pool.find(data) if data else 0
        if found < 0:
            found = len(pool)
            pool.extend(data)
        if found > 0xFFFF or len(data) > 0xFF:
            raise SystemExit("example %r does not fit the image" % text)
        return found, len(data)

    records = []
    for code, descs in regions:
        row = []
        for desc in descs:
            if desc is None:
                row.append((-1, 0, 0, 0))
                continue
            pattern, lengths, example = desc
            offset, count = pooled(example)
            row.append((dfa(pattern, False), length_mask(lengths), offset, count))
        emergency = descs[DESC_SLOTS.index("emergency")]
        prefix = dfa(emergency[0], True) if emergency else -1
        records.append((code, row, prefix))

    first_rows, narrow, wide = dfa_rows(dfas)
    w = Writer()
    w.buf += b"SPSN"
    w.u16(FORMAT_VERSION)
    w.u16(0)
    w.u32(len(dfas))
    for r in first_rows:
        w.u32(r)
    w.u32(len(narrow) // 16)
    w.u32(len(wide) // 32)
    w.u32(len(pool))
    w.buf += pool
    w.align(4)
    w.u32(len(records))
    for code, row, prefix in records:
        w.u32(ord(code[0]) << 8 | ord(code[1]))
        w.i32(prefix)
        for pattern, mask, offset, count in row:
            w.i32(pattern)
            w.u32(mask)
            w.u16(offset)
            w.u8(count)
            w.u8(0)
    stats = {"regions": len(records), "dfas": len(dfas), "states": sum(len(t) for t, _ in dfas),
             "bytes": len(w.buf) + len(narrow) + len(wide)}
    return (bytes(w.buf), narrow, wide), stats, dfas, dfa_index


def exhaustive_check(dfas, dfa_index, regions):
    """Every DFA against Python's re on every digit string of 1 to 4 digits, and on each
    region's example numbers with a digit added or removed."""
    from digit_regex import run_dfa

    samples = ["".join(p) for n in range(1, 5) for p in itertools.product("0123456789", repeat=n)]
    extra = set()
    for _, descs in regions:
        for desc in descs:
            if desc and desc[2]:
                e = desc[2]
                extra.update([e, e[:-1], e + "0", e + "9", e[1:]])
    samples += sorted(s for s in extra if s)
    bad = 0
    for (pattern, prefix_mode), i in sorted(dfa_index.items()):
        rx = re.compile(pattern)
        for s in samples:
            want = (rx.match(s) is not None) if prefix_mode else (rx.fullmatch(s) is not None)
            if run_dfa(dfas[i], s, prefix_mode) != want:
                print("DFA mismatch %r on %r" % (pattern, s), file=sys.stderr)
                bad += 1
                break
    return bad


SWIFT_TEMPLATE = """\
// Generated by scripts/generate-shortnumber-metadata.py from PyPI phonenumbers {version}'s short-number
// metadata (libphonenumber's ShortNumberMetadata.xml, Apache-2.0). Do not edit: run
// `python3 scripts/generate-shortnumber-metadata.py`.
// {stats}

extension ShortNumberMetadata {{
    /// The phonenumbers release this data comes from.
    static let sourceVersion = "phonenumbers {version}"

{image}}}
"""


def render(phonenumbers, blob, narrow, wide, stats):
    stat_text = "%(regions)d regions, %(dfas)d DFAs with %(states)d states, %(bytes)d bytes" % stats
    return SWIFT_TEMPLATE.format(version=phonenumbers.__version__, stats=stat_text,
                                 image=image_members(blob, narrow, wide, "The short-number image")), stat_text


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(root, "Sources", "PhoneNumbers", "Generated",
                                                   "ShortNumberMetadata+Data.swift"))
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temporary file, self-check the DFAs against Python's re, and "
                         "exit 1 if the committed file differs")
    args = ap.parse_args()

    phonenumbers = require_phonenumbers()
    regions = read_regions(phonenumbers)
    (blob, narrow, wide), stats, dfas, dfa_index = build(regions)
    text, stat_text = render(phonenumbers, blob, narrow, wide, stats)

    if args.check:
        bad = self_check(dfas, dfa_index, [], {}, 300) + exhaustive_check(dfas, dfa_index, regions)
        with tempfile.NamedTemporaryFile("w", suffix=".swift", delete=False) as tmp:
            tmp.write(text)
        try:
            try:
                with open(args.out) as f:
                    committed = f.read()
            except FileNotFoundError:
                committed = ""
            with open(tmp.name) as f:
                fresh = f.read()
        finally:
            os.unlink(tmp.name)
        if committed != fresh:
            diff = list(difflib.unified_diff(committed.splitlines(), fresh.splitlines(), "committed",
                                             "regenerated", lineterm="", n=0))
            print("%s differs from a fresh generation (%d diff lines); run "
                  "python3 scripts/generate-shortnumber-metadata.py" % (os.path.relpath(args.out, root),
                                                                        len(diff)), file=sys.stderr)
            print("\n".join(diff[:20]), file=sys.stderr)
            bad += 1
        if bad:
            print("check failed: %d problems" % bad, file=sys.stderr)
            return 1
        print("check passed: %s; every DFA agrees with Python's re; the committed file is current" % stat_text)
        return 0

    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text)
    print("wrote %s: %s" % (os.path.relpath(args.out, root), stat_text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
