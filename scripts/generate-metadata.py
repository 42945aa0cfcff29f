#!/usr/bin/env python3
"""Compiles libphonenumber's PhoneNumberMetadata.xml into ScreenPop's binary metadata.

Usage (from the repository root):

    python3 scripts/generate-metadata.py [--xml PATH] [--check]

PATH is libphonenumber v9.0.35's resources/PhoneNumberMetadata.xml (default: ../shared/data/ beside the
repository; `--metadata` is another name for `--xml`).

Writes Sources/PhoneNumbers/Generated/PhoneNumberMetadata+Data.swift: one string literal holding the
binary metadata (see docs/metadata-format.md), which the library decodes once, on first use.

Every numbering-plan pattern is a regular expression over the digits 0-9. The script compiles
 * each number-type pattern into a minimal DFA (full match),
 * each region's leadingDigits pattern into a DFA that accepts as soon as a prefix matches,
 * each internationalPrefix and nationalPrefixForParsing pattern into a small backtracking program
   (these need the end of the match with Python/Java leftmost-first semantics, and capture groups).

With --check, the result is compared field by field with the metadata that PyPI `phonenumbers`
(same version) carries, which catches any drift in the rules that derive the general description.
Only the Python standard library is needed otherwise.
"""

import argparse
import base64
import os
import re
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from digit_regex import (  # noqa: E402
    Writer, compile_dfa, compile_program, dfa_rows, length_mask, self_check, swift_literal)

FORMAT_VERSION = 5
MAGIC = b"SPMD"

# The order of PhoneNumberDesc slots in a region record. It is also the order in which
# libphonenumber's number-type helper tests them (general description first).
DESC_SLOTS = [
    "generalDesc", "premiumRate", "tollFree", "sharedCost", "voip", "personalNumber",
    "pager", "uan", "voicemail", "fixedLine", "mobile", "noInternationalDialling",
]
# The descriptions whose lengths make up the general description's possible lengths.
LENGTH_SOURCES = [
    "fixedLine", "mobile", "tollFree", "premiumRate", "sharedCost", "personalNumber", "voip",
    "pager", "uan", "voicemail", "noInternationalDialling",
]


# --------------------------------------------------------------------------------------------
# Metadata
# --------------------------------------------------------------------------------------------

def squash(text):
    return re.sub(r"\s", "", text) if text is not None else None


def parse_lengths(spec):
    out = set()
    if not spec:
        return out
    for part in spec.split(","):
        part = part.strip()
        m = re.fullmatch(r"\[(\d+)-(\d+)\]", part)
        if m:
            out.update(range(int(m.group(1)), int(m.group(2)) + 1))
        else:
            out.add(int(part))
    return out


def read_territories(path):
    root = ET.parse(path).getroot()
    regions = []
    for terr in root.iter("territory"):
        r = {
            "id": terr.get("id"),
            "countryCode": int(terr.get("countryCode")),
            "main": terr.get("mainCountryForCode") == "true",
            "internationalPrefix": squash(terr.get("internationalPrefix")),
            "nationalPrefix": squash(terr.get("nationalPrefix")),
            "nationalPrefixForParsing": squash(terr.get("nationalPrefixForParsing")),
            "nationalPrefixTransformRule": squash(terr.get("nationalPrefixTransformRule")),
            "leadingDigits": squash(terr.get("leadingDigits")),
            "descs": {},
        }
        if r["nationalPrefixForParsing"] is None and r["nationalPrefix"] is not None:
            r["nationalPrefixForParsing"] = r["nationalPrefix"]
        for slot in DESC_SLOTS:
            el = terr.find(slot)
            if el is None:
                continue
            pat_el = el.find("nationalNumberPattern")
            pattern = squash(pat_el.text) if pat_el is not None else None
            lengths_el = el.find("possibleLengths")
            national = parse_lengths(lengths_el.get("national")) if lengths_el is not None else set()
            local = parse_lengths(lengths_el.get("localOnly")) if lengths_el is not None else set()
            if national == {-1}:
                national = set()
            r["descs"][slot] = {"pattern": pattern, "lengths": national, "local": local}
        # Number formats: only what the matcher's national-prefix check needs.
        formats = []
        af = terr.find("availableFormats")
        for nf in (af.findall("numberFormat") if af is not None else []):
            leading = [squash(e.text) for e in nf.findall("leadingDigits")]
            rule = nf.get("nationalPrefixFormattingRule")
            if rule is not None:
                rule = rule.replace("$NP", r["nationalPrefix"] or "").replace("$FG", "$1")
            formats.append({
                "pattern": squash(nf.get("pattern")),
                "leading": leading[-1] if leading else None,
                "leadingAll": leading,
                "rule": rule,
                "optional": nf.get("nationalPrefixOptionalWhenFormatting") == "true",
            })
        r["formats"] = formats
        # The general description's lengths are the union of the type descriptions' lengths.
        general = r["descs"].setdefault("generalDesc", {"pattern": None, "lengths": set(), "local": set()})
        lengths, local = set(), set()
        for slot in LENGTH_SOURCES:
            d = r["descs"].get(slot)
            if d is not None:
                lengths |= d["lengths"]
                local |= d["local"]
        general["lengths"] = lengths
        general["local"] = local - lengths
        regions.append(r)
    return regions


def country_code_map(regions):
    by_cc = {}
    for r in regions:
        by_cc.setdefault(r["countryCode"], []).append(r)
    out = {}
    for cc, rs in by_cc.items():
        mains = [r for r in rs if r["main"]]
        rest = [r for r in rs if not r["main"]]
        out[cc] = [r["id"] for r in mains + rest]
    return out


# --------------------------------------------------------------------------------------------
# Binary output
# --------------------------------------------------------------------------------------------

def build(regions):
    dfas = []          # (transitions, accepting)
    dfa_index = {}     # (pattern, prefix_mode) -> index
    programs = []      # (prog, groups)
    program_index = {}

    def dfa(pattern, prefix_mode):
        key = (pattern, prefix_mode)
        if key not in dfa_index:
            dfa_index[key] = len(dfas)
            dfas.append(compile_dfa(pattern, prefix_mode))
        return dfa_index[key]

    def program(pattern):
        if pattern not in program_index:
            program_index[pattern] = len(programs)
            programs.append(compile_program(pattern))
        return program_index[pattern]

    records = []
    for r in regions:
        rec = {"region": r}
        rec["idd"] = program(r["internationalPrefix"]) if r["internationalPrefix"] else -1
        rec["npfp"] = program(r["nationalPrefixForParsing"]) if r["nationalPrefixForParsing"] else -1
        rec["leading"] = dfa(r["leadingDigits"], True) if r["leadingDigits"] else -1
        descs = []
        for slot in DESC_SLOTS:
            d = r["descs"].get(slot)
            if d is None:
                descs.append(None)
            else:
                descs.append((dfa(d["pattern"], False) if d["pattern"] else -1,
                              length_mask(d["lengths"]), length_mask(d["local"])))
        rec["descs"] = descs
        fixed = r["descs"].get("fixedLine")
        mobile = r["descs"].get("mobile")
        if fixed is None and mobile is None:
            same = True
        elif fixed is None or mobile is None:
            same = False
        else:
            same = fixed["pattern"] == mobile["pattern"]
        rec["same"] = same
        rec["formats"] = []
        for f in r["formats"]:
            flags = 0
            if f["rule"]:
                flags |= 1
            if f["optional"]:
                flags |= 2
            if f["rule"] is None or re.fullmatch(r"\(?\$1\)?", f["rule"]):
                flags |= 4  # first group only
            rec["formats"].append((dfa(f["leading"], True) if f["leading"] else -1, dfa(f["pattern"], False), flags))
        records.append(rec)

    w = Writer()
    w.buf += MAGIC
    w.u16(FORMAT_VERSION)
    w.u16(0)

    # DFAs: the rows themselves go into two string literals that the library reads in place (see
    # swift_literal); the image holds each DFA's first row, with bit 31 set for "wide" DFAs.
    # A narrow row is 16 bytes: the next state for digits 0-9 (NARROW_DEAD: none), flags (bit 0:
    # accepting) and padding, each stored as value + 32 so that every byte is printable ASCII.
    # DFAs of NARROW_DEAD states or more are wide: 32-byte rows of 11 values of two bytes, each
    # holding 6 bits + 32 (low first; WIDE_DEAD: none).
    first_rows, narrow, wide = dfa_rows(dfas)
    w.u32(len(dfas))
    for first in first_rows:
        w.u32(first)
    w.u32(len(narrow) // 16)
    w.u32(len(wide) // 32)
    total_states = sum(len(t) for t, _ in dfas)

    # Programs: (start, count, groups) headers, then the instructions as (op, a, b) u16 triples.
    w.u32(len(programs))
    total_code = sum(len(p) for p, _ in programs)
    w.u32(total_code)
    at = 0
    for prog, groups in programs:
        w.u32(at)
        w.u16(len(prog))
        w.u8(groups)
        w.u8(0)
        at += len(prog)
    for prog, _ in programs:
        for op, a, b in prog:
            w.u16(op)
            w.u16(a)
            w.u16(b)
    w.align(4)

    # Byte pool: national prefixes and transform rules.
    pool = bytearray()

    def pooled(text):
        data = (text or "").encode("ascii")
        offset = len(pool)
        pool.extend(data)
        return offset, len(data)

    desc_rows = []
    format_rows = []
    region_rows = []
    for rec in records:
        r = rec["region"]
        np_offset, np_len = pooled(r["nationalPrefix"])
        rule_offset, rule_len = pooled(r["nationalPrefixTransformRule"])
        desc_base = len(desc_rows)
        for d in rec["descs"]:
            desc_rows.append(d)
        format_start = len(format_rows)
        format_rows.extend(rec["formats"])
        flags = (1 if r["main"] else 0) | (2 if rec["same"] else 0)
        region_rows.append((r["id"], r["countryCode"], flags, rec["idd"], rec["npfp"], rec["leading"],
                            np_offset, np_len, rule_offset, rule_len, desc_base, format_start, len(rec["formats"])))
    w.u32(len(pool))
    w.buf += pool
    w.align(4)

    # Number descriptions: 16 bytes each.
    w.u32(len(desc_rows))
    for d in desc_rows:
        if d is None:
            w.i32(-1)
            w.u32(0)
            w.u32(0)
            w.u32(0)
        else:
            w.i32(d[0])
            w.u32(d[1])
            w.u32(d[2])
            w.u32(1)
    # Number formats: 12 bytes each.
    w.u32(len(format_rows))
    for leading, pattern, flags in format_rows:
        w.i32(leading)
        w.i32(pattern)
        w.u32(flags)
    # Regions: 48 bytes each.
    w.u32(len(region_rows))
    for (rid, cc, flags, idd, npfp, leading, npo, npl, ro, rl, db, fs, fc) in region_rows:
        key = 0
        for ch in rid.encode("ascii"):
            key = (key << 8) | ch
        w.u32(key)
        w.u16(cc)
        w.u16(flags)
        w.i32(idd)
        w.i32(npfp)
        w.i32(leading)
        w.u32(npo)
        w.u32(npl)
        w.u32(ro)
        w.u32(rl)
        w.u32(db)
        w.u32(fs)
        w.u32(fc)
    # Calling code -> region indices (main region first): (code, count, first) rows, then the indices.
    ccmap = country_code_map(regions)
    index_of = {}
    for i, rec in enumerate(records):
        index_of[(rec["region"]["id"], rec["region"]["countryCode"])] = i
    lists = []
    w.u32(len(ccmap))
    for cc in sorted(ccmap):
        w.u16(cc)
        w.u16(len(ccmap[cc]))
        w.u32(len(lists))
        for rid in ccmap[cc]:
            lists.append(index_of[(rid, cc)])
    w.u32(len(lists))
    for i in lists:
        w.u32(i)
    stats = {"dfas": len(dfas), "states": total_states, "programs": len(programs),
             "bytes": len(w.buf) + len(narrow) + len(wide)}
    return (bytes(w.buf), bytes(narrow), bytes(wide)), stats, dfas, dfa_index, programs, program_index


# --------------------------------------------------------------------------------------------
# Checks against the reference implementation
# --------------------------------------------------------------------------------------------

def check_against_phonenumbers(regions):
    try:
        import phonenumbers
        from phonenumbers.phonemetadata import PhoneMetadata
    except ImportError:
        print("--check needs PyPI phonenumbers", file=sys.stderr)
        return 1
    attr = {
        "generalDesc": "general_desc", "premiumRate": "premium_rate", "tollFree": "toll_free",
        "sharedCost": "shared_cost", "voip": "voip", "personalNumber": "personal_number",
        "pager": "pager", "uan": "uan", "voicemail": "voicemail", "fixedLine": "fixed_line",
        "mobile": "mobile", "noInternationalDialling": "no_international_dialling",
    }
    bad = 0
    for r in regions:
        if r["id"] == "001":
            m = PhoneMetadata.metadata_for_nongeo_region(r["countryCode"], None)
        else:
            m = PhoneMetadata.metadata_for_region(r["id"], None)
        if m is None:
            print("phonenumbers lacks %s" % r["id"], file=sys.stderr)
            bad += 1
            continue

        def same(what, a, b):
            nonlocal bad
            if a != b:
                bad += 1
                print("%s/%d %s: ours %r, phonenumbers %r" % (r["id"], r["countryCode"], what, a, b),
                      file=sys.stderr)

        same("countryCode", r["countryCode"], m.country_code)
        same("internationalPrefix", r["internationalPrefix"], m.international_prefix)
        same("nationalPrefixForParsing", r["nationalPrefixForParsing"], m.national_prefix_for_parsing)
        rule = m.national_prefix_transform_rule
        same("nationalPrefixTransformRule", r["nationalPrefixTransformRule"],
             None if rule is None else re.sub(r"\\(\d)", r"$\1", rule))
        same("leadingDigits", r["leadingDigits"], m.leading_digits)
        theirs_formats = [
            {"pattern": f.pattern, "leadingAll": list(f.leading_digits_pattern),
             "rule": None if f.national_prefix_formatting_rule is None
             else re.sub(r"\\(\d)", r"$\1", f.national_prefix_formatting_rule),
             "optional": bool(f.national_prefix_optional_when_formatting)}
            for f in (m.number_format or [])]
        ours_formats = [{k: f[k] for k in ("pattern", "leadingAll", "rule", "optional")} for f in r["formats"]]
        same("numberFormats", ours_formats, theirs_formats)
        for slot in DESC_SLOTS:
            ours = r["descs"].get(slot)
            theirs = getattr(m, attr[slot])
            if ours is None or theirs is None:
                same(slot + " presence", ours is None, theirs is None)
                continue
            same(slot + " pattern", ours["pattern"], theirs.national_number_pattern)
            same(slot + " lengths", sorted(ours["lengths"]), sorted(x for x in theirs.possible_length if x > 0))
            same(slot + " local", sorted(ours["local"]), sorted(theirs.possible_length_local_only))
    ours_cc = country_code_map(regions)
    same_cc = {cc: list(v) for cc, v in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items()}
    if ours_cc != same_cc:
        bad += 1
        print("country code map differs", file=sys.stderr)
    return bad


# --------------------------------------------------------------------------------------------

SWIFT_TEMPLATE = """\
// Generated by scripts/generate-metadata.py from libphonenumber's PhoneNumberMetadata.xml
// ({version}, Apache-2.0). Do not edit: run `python3 scripts/generate-metadata.py`.
// {stats}

extension PhoneNumberMetadata {{
    /// The libphonenumber release this data comes from.
    public static let sourceVersion = "{version}"

    /// The compiled metadata without the DFA rows (docs/metadata-format.md), base64-encoded.
    static let encodedData: StaticString = \"\"\"
{body}
\"\"\"

    /// The rows of the narrow DFAs, read in place: 16 bytes a state, each value + 32.
    static let narrowDFARows: StaticString = \"\"\"
{narrow}
\"\"\"

    /// The rows of the wide DFAs, read in place: 32 bytes a state, 11 values of two 6-bit bytes + 32.
    static let wideDFARows: StaticString = \"\"\"
{wide}
\"\"\"
}}
"""


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--xml", "--metadata", dest="xml", metavar="PATH",
                    default=os.path.join(root, "..", "shared", "data", "PhoneNumberMetadata.xml"),
                    help="libphonenumber's PhoneNumberMetadata.xml (default: ../shared/data/PhoneNumberMetadata.xml "
                         "beside the repository)")
    ap.add_argument("--version", default="libphonenumber v9.0.35")
    ap.add_argument("--out", default=os.path.join(root, "Sources", "PhoneNumbers", "Generated",
                                                   "PhoneNumberMetadata+Data.swift"))
    ap.add_argument("--check", action="store_true", help="compare with PyPI phonenumbers and Python's re")
    args = ap.parse_args()

    if not os.path.isfile(args.xml):
        print("generate-metadata: no metadata file at %s\n"
              "It needs PhoneNumberMetadata.xml of libphonenumber v9.0.35 (resources/PhoneNumberMetadata.xml in\n"
              "https://github.com/google/libphonenumber at tag v9.0.35). Pass its path with --xml PATH\n"
              "(or --metadata PATH), or put it at ../shared/data/PhoneNumberMetadata.xml beside the repository."
              % os.path.abspath(args.xml), file=sys.stderr)
        return 2
    regions = read_territories(args.xml)
    (blob, narrow, wide), stats, dfas, dfa_index, programs, program_index = build(regions)
    if args.check:
        bad = check_against_phonenumbers(regions)
        bad += self_check(dfas, dfa_index, programs, program_index, 300)
        if bad:
            print("check failed: %d differences" % bad, file=sys.stderr)
            return 1
        print("check passed: metadata equals phonenumbers', every pattern agrees with Python's re")
    encoded = base64.b64encode(blob).decode("ascii")
    lines = [encoded[i:i + 120] for i in range(0, len(encoded), 120)]
    stat_text = "%(dfas)d DFAs with %(states)d states, %(programs)d programs, %(bytes)d bytes" % stats
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(SWIFT_TEMPLATE.format(version=args.version, stats=stat_text, body="\n".join(lines),
                                      narrow=swift_literal(narrow), wide=swift_literal(wide)))
    print("wrote %s: %s" % (os.path.relpath(args.out, root), stat_text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
