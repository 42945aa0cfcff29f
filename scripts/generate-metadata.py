#!/usr/bin/env python3
"""Compiles libphonenumber's numbering plans, as PyPI `phonenumbers` carries them, into ScreenPop's binary metadata.

Usage (from the repository root):

    pip install phonenumbers==$(cat scripts/phonenumbers.version)
    python3 scripts/generate-metadata.py            # writes the generated Swift file
    python3 scripts/generate-metadata.py --check    # regenerates both images and compares
    python3 scripts/generate-metadata.py --test-metadata   # writes only the test image

The source is the installed PyPI package at the pinned version (scripts/phonenumbers.version): its
`phonenumbers.data` modules hold libphonenumber's PhoneNumberMetadata.xml as BuildMetadataFromXml
leaves it. Writes Sources/PhoneNumbers/Generated/PhoneNumberMetadata+Data.swift: a binary image in
string literals (docs/metadata-format.md), decoded once, on first use.

The test image: libphonenumber's PhoneNumberMetadataForTesting.xml as the sdist of the same
release carries it (`tests/testdata`, fetched by scripts/peer_sdist.py), loaded the way the sdist's
tests load it (`tests.testmetadatatest.insert_test_metadata`). It goes to
Sources/PhoneNumbersWithTestMetadata/Generated/, the one real file of a module whose other files
are symbolic links to PhoneNumbers' (this script keeps the links in step): the peer suite
(docs/peer-tests.md) replays the sdist's own test cases against it. Production never sees it.

Every numbering-plan pattern is a regular expression over the digits 0-9. The script compiles
 * each number-type pattern into a minimal DFA (full match),
 * each region's leadingDigits pattern into a DFA that accepts as soon as a prefix matches,
 * each internationalPrefix and nationalPrefixForParsing pattern, and each number format's pattern,
   into a small backtracking program (these need the end of the match with Python/Java
   leftmost-first semantics, and capture groups).

--check also compares every compiled pattern with Python's `re` on random digit strings.
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from digit_regex import (  # noqa: E402
    Writer, compile_dfa, compile_program, dfa_rows, image_members, length_mask, self_check)
from oracle import require_phonenumbers  # noqa: E402

FORMAT_VERSION = 6
MAGIC = b"SPMD"

# The order of PhoneNumberDesc slots in a region record. It is also the order in which
# libphonenumber's number-type helper tests them (general description first).
DESC_SLOTS = [
    "generalDesc", "premiumRate", "tollFree", "sharedCost", "voip", "personalNumber",
    "pager", "uan", "voicemail", "fixedLine", "mobile", "noInternationalDialling",
]


# --------------------------------------------------------------------------------------------
# Metadata
# --------------------------------------------------------------------------------------------

DESC_ATTRIBUTES = {
    "generalDesc": "general_desc", "premiumRate": "premium_rate", "tollFree": "toll_free",
    "sharedCost": "shared_cost", "voip": "voip", "personalNumber": "personal_number",
    "pager": "pager", "uan": "uan", "voicemail": "voicemail", "fixedLine": "fixed_line",
    "mobile": "mobile", "noInternationalDialling": "no_international_dialling",
}


def dollar_groups(rule):
    """`\\1` (Python's group reference) as `$1`, the form the image keeps."""
    return None if rule is None else re.sub(r"\\(\d)", r"$\1", rule)


def read_phonenumbers(phonenumbers):
    """Every region's metadata from the installed PyPI package, in the calling-code map's order.

    The package carries libphonenumber's metadata as BuildMetadataFromXml leaves it: defaults
    filled in, the general description's lengths derived, `$NP`/`$FG` expanded.
    """
    from phonenumbers.phonemetadata import PhoneMetadata
    # phonenumberutil's map, not the package's re-export: the sdist's tests swap only the former.
    cc_to_rc = phonenumbers.phonenumberutil.COUNTRY_CODE_TO_REGION_CODE
    regions = []
    for cc in sorted(cc_to_rc):
        for rid in cc_to_rc[cc]:
            if rid == "001":
                m = PhoneMetadata.metadata_for_nongeo_region(cc, None)
            else:
                m = PhoneMetadata.metadata_for_region(rid, None)
            if m is None:
                raise SystemExit("phonenumbers has no metadata for %s (+%d)" % (rid, cc))
            regions.append(region_from_metadata(m))
    return regions


def region_from_metadata(m):
    r = {
        "id": m.id,
        "countryCode": m.country_code,
        "main": bool(m.main_country_for_code),
        "internationalPrefix": m.international_prefix,
        "preferredInternationalPrefix": m.preferred_international_prefix,
        "nationalPrefix": m.national_prefix,
        "nationalPrefixForParsing": m.national_prefix_for_parsing,
        "nationalPrefixTransformRule": dollar_groups(m.national_prefix_transform_rule),
        "preferredExtnPrefix": m.preferred_extn_prefix,
        "leadingDigits": m.leading_digits,
        "mobileNumberPortable": bool(m.mobile_number_portable_region),
        "descs": {},
    }
    for slot in DESC_SLOTS:
        d = getattr(m, DESC_ATTRIBUTES[slot])
        if d is None:
            continue
        r["descs"][slot] = {
            "pattern": d.national_number_pattern,
            "lengths": set(x for x in (d.possible_length or ()) if x > 0),
            "local": set(d.possible_length_local_only or ()),
        }
    r["descs"].setdefault("generalDesc", {"pattern": None, "lengths": set(), "local": set()})
    r["formats"] = [number_format(f) for f in (m.number_format or [])]
    r["intlFormats"] = [number_format(f) for f in (m.intl_number_format or [])]
    return r


def number_format(f):
    leading = list(f.leading_digits_pattern or [])
    return {
        "pattern": f.pattern,
        "format": dollar_groups(f.format),
        "leading": leading[-1] if leading else None,
        "rule": dollar_groups(f.national_prefix_formatting_rule),
        "optional": bool(f.national_prefix_optional_when_formatting),
        "python": f,
    }


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

# libphonenumber's formatting constants, read from the oracle so that they cannot drift.
def _formatting_constants():
    from phonenumbers import phonenumberutil as util
    return util._FIRST_GROUP_PATTERN, util._SINGLE_INTERNATIONAL_PREFIX, util._DEFAULT_EXTN_PREFIX


def first_group_replaced(format_rule, rule):
    """`format_rule` with its first group reference replaced by `rule`, as `_format_nsn_using_pattern`
    does before formatting (both in Python's `\\1` form); None when there is no rule."""
    if not rule:
        return None
    first_group, _, _ = _formatting_constants()
    return re.sub(first_group, rule, format_rule, count=1)


def format_record(f, dfa, program):
    """A number format's row: its DFAs and flags (the matcher's), the pattern as a program with
    groups, and three templates in `$N` form: the format, the format with the national prefix
    formatting rule applied (NATIONAL), and with the carrier-code rule applied (`$CC` left in)."""
    flags = 0
    if f["rule"]:
        flags |= 1
    if f["optional"]:
        flags |= 2
    if f["rule"] is None or re.fullmatch(r"\(?\$1\)?", f["rule"]):
        flags |= 4  # first group only
    python_format = f["python"]
    national = first_group_replaced(python_format.format, python_format.national_prefix_formatting_rule)
    carrier = first_group_replaced(python_format.format, python_format.domestic_carrier_code_formatting_rule)
    return ((dfa(f["leading"], True) if f["leading"] else -1), dfa(f["pattern"], False), flags,
            program(f["pattern"]), f["format"], dollar_groups(national) if national else f["format"],
            dollar_groups(carrier) if carrier else "")


def outbound_international_prefix(r):
    """The prefix `format_out_of_country_calling_number` dials from this region: the preferred
    international prefix, else the international prefix when it is a single one, else none."""
    _, single, _ = _formatting_constants()
    if r["preferredInternationalPrefix"] is not None:
        return r["preferredInternationalPrefix"]
    idd = r["internationalPrefix"]
    if idd is not None and single.fullmatch(idd):
        return idd
    return ""


def extension_prefix(r):
    """What goes between a formatted number and its extension (not in RFC 3966)."""
    _, _, default = _formatting_constants()
    return r["preferredExtnPrefix"] if r["preferredExtnPrefix"] is not None else default


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
        rec["formats"] = [format_record(f, dfa, program) for f in r["formats"]]
        rec["intlFormats"] = [format_record(f, dfa, program) for f in r["intlFormats"]]
        records.append(rec)

    if any(groups > 5 for _, groups in programs):
        raise SystemExit("a pattern has more than 5 groups, more than the library's captures hold")
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
    pooled_at = {}

    def pooled(text):
        data = (text or "").encode("utf-8")
        if data not in pooled_at:
            pooled_at[data] = len(pool)
            pool.extend(data)
        return pooled_at[data], len(data)

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
        intl_start = len(format_rows)
        format_rows.extend(rec["intlFormats"])
        flags = (1 if r["main"] else 0) | (2 if rec["same"] else 0) | (4 if r["mobileNumberPortable"] else 0)
        region_rows.append((r["id"], r["countryCode"], flags, rec["idd"], rec["npfp"], rec["leading"],
                            np_offset, np_len, rule_offset, rule_len, desc_base, format_start, len(rec["formats"]),
                            intl_start, len(rec["intlFormats"]),
                            pooled(outbound_international_prefix(r)), pooled(extension_prefix(r))))
    format_rows = [row[:4] + tuple(x for text in row[4:] for x in pooled(text)) for row in format_rows]
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
    # Number formats: 40 bytes each.
    w.u32(len(format_rows))
    for leading, pattern, flags, groups, fo, fl, no, nl, co, cl in format_rows:
        w.i32(leading)
        w.i32(pattern)
        w.u32(flags)
        w.i32(groups)
        for v in (fo, fl, no, nl, co, cl):
            w.u32(v)
    # Regions: 72 bytes each.
    w.u32(len(region_rows))
    for (rid, cc, flags, idd, npfp, leading, npo, npl, ro, rl, db, fs, fc, ifs, ifc, (oo, ol), (eo, el)) in region_rows:
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
        for v in (ifs, ifc, oo, ol, eo, el):
            w.u32(v)
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

SWIFT_TEMPLATE = """\
// Generated by scripts/generate-metadata.py from {source} ({version}, Apache-2.0). Do not edit: run `python3 scripts/generate-metadata.py{flag}`.
// {stats}

extension PhoneNumberMetadata {{
    /// The libphonenumber release this data comes from.
    public static let sourceVersion = "{version}"

{image}}}
"""


PRODUCTION_SOURCE = "libphonenumber's metadata as PyPI phonenumbers\n// carries it"
TEST_SOURCE = "libphonenumber's test metadata as the PyPI phonenumbers\n// sdist carries it in tests/testdata"


def generate(phonenumbers, version, check, source=PRODUCTION_SOURCE, flag=""):
    """The generated Swift source, and its statistics line."""
    regions = read_phonenumbers(phonenumbers)
    (blob, narrow, wide), stats, dfas, dfa_index, programs, program_index = build(regions)
    if check:
        bad = self_check(dfas, dfa_index, programs, program_index, 300)
        if bad:
            raise SystemExit("check failed: %d compiled patterns differ from Python's re" % bad)
    stat_text = "%(dfas)d DFAs with %(states)d states, %(programs)d programs, %(bytes)d bytes" % stats
    return SWIFT_TEMPLATE.format(source=source, flag=flag, version=version, stats=stat_text,
                                 image=image_members(blob, narrow, wide, "The compiled metadata")), stat_text


# --------------------------------------------------------------------------------------------
# The test-metadata module
# --------------------------------------------------------------------------------------------

DATA_FILE = "PhoneNumberMetadata+Data.swift"
MIRROR_SKIPPED = {"Docs.docc", "Generated"}


def mirror_links(root):
    """What Sources/PhoneNumbersWithTestMetadata must hold besides its data file: a relative symbolic
    link to every entry of Sources/PhoneNumbers (but its DocC catalog), and in Generated/ to every
    generated file but the production image. {link path: target}."""
    source = os.path.join(root, "Sources", "PhoneNumbers")
    mirror = os.path.join(root, "Sources", "PhoneNumbersWithTestMetadata")
    links = {}
    for entry in sorted(os.listdir(source)):
        if entry not in MIRROR_SKIPPED:
            links[os.path.join(mirror, entry)] = os.path.join("..", "PhoneNumbers", entry)
    for entry in sorted(os.listdir(os.path.join(source, "Generated"))):
        if entry != DATA_FILE:
            links[os.path.join(mirror, "Generated", entry)] = os.path.join("..", "..", "PhoneNumbers", "Generated", entry)
    return mirror, links


def mirror_problems(root):
    """The links that are missing, wrong or stale, as sentences; empty when the mirror is in step."""
    mirror, links = mirror_links(root)
    problems = []
    for path, target in links.items():
        if not os.path.islink(path) or os.readlink(path) != target:
            problems.append("%s should link to %s" % (os.path.relpath(path, root), target))
    for folder in (mirror, os.path.join(mirror, "Generated")):
        for entry in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            path = os.path.join(folder, entry)
            if path not in links and not (folder != mirror and entry == DATA_FILE) and entry != "Generated":
                problems.append("%s is not in Sources/PhoneNumbers" % os.path.relpath(path, root))
    return problems


def sync_mirror(root):
    mirror, links = mirror_links(root)
    os.makedirs(os.path.join(mirror, "Generated"), exist_ok=True)
    for folder in (mirror, os.path.join(mirror, "Generated")):
        for entry in os.listdir(folder):
            path = os.path.join(folder, entry)
            if os.path.islink(path) and path not in links:
                os.remove(path)
    for path, target in links.items():
        if os.path.lexists(path):
            if os.path.islink(path) and os.readlink(path) == target:
                continue
            if not os.path.islink(path):
                raise SystemExit("%s is a real file or folder; the mirror holds only links" % path)
            os.remove(path)
        os.symlink(target, path)


def test_image(check):
    """The test image's text, from the sdist's tests/testdata loaded as its tests load it."""
    from peer_sdist import ensure_sdist, import_sdist
    unpacked = ensure_sdist()
    phonenumbers = import_sdist(unpacked)
    from tests.testmetadatatest import insert_test_metadata
    insert_test_metadata()
    import digit_regex
    digit_regex.NON_DIGIT_LITERALS_MATCH_NOTHING = True
    version = "libphonenumber v%s test metadata" % phonenumbers.__version__
    return generate(phonenumbers, version, check, TEST_SOURCE, " --test-metadata")


def compare(path, text, root, what, stat_text):
    try:
        with open(path) as f:
            committed = f.read()
    except FileNotFoundError:
        committed = None
    if committed != text:
        print("%s differs from a fresh generation of %s: run python3 scripts/generate-metadata.py"
              % (os.path.relpath(path, root), what), file=sys.stderr)
        return False
    print("check passed: %s equals a fresh generation (%s); every pattern agrees with Python's re"
          % (os.path.relpath(path, root), stat_text))
    return True


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(root, "Sources", "PhoneNumbers", "Generated", DATA_FILE))
    ap.add_argument("--test-out", default=os.path.join(root, "Sources", "PhoneNumbersWithTestMetadata", "Generated",
                                                        DATA_FILE))
    ap.add_argument("--test-metadata", action="store_true",
                    help="only the test image (and the test module's links), from the sdist's tests/testdata")
    ap.add_argument("--check", action="store_true",
                    help="do not write: regenerate both images, check the patterns against Python's re, compare "
                         "with --out and --test-out, and check the test module's links")
    args = ap.parse_args()

    ok = True
    if not args.test_metadata:
        phonenumbers = require_phonenumbers()
        version = "libphonenumber v%s" % phonenumbers.__version__
        text, stat_text = generate(phonenumbers, version, args.check)
        if args.check:
            ok = compare(args.out, text, root, "phonenumbers %s" % phonenumbers.__version__, stat_text) and ok
        else:
            os.makedirs(os.path.dirname(args.out), exist_ok=True)
            with open(args.out, "w") as f:
                f.write(text)
            print("wrote %s: %s" % (os.path.relpath(args.out, root), stat_text))
    # The test image comes from the sdist's phonenumbers, imported after (and in place of) the installed one.
    text, stat_text = test_image(args.check)
    if args.check:
        ok = compare(args.test_out, text, root, "the sdist's test metadata", stat_text) and ok
        problems = mirror_problems(root)
        for problem in problems:
            print("Sources/PhoneNumbersWithTestMetadata: %s: run python3 scripts/generate-metadata.py" % problem,
                  file=sys.stderr)
        ok = ok and not problems
        return 0 if ok else 1
    sync_mirror(root)
    with open(args.test_out, "w") as f:
        f.write(text)
    print("wrote %s: %s" % (os.path.relpath(args.test_out, root), stat_text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
