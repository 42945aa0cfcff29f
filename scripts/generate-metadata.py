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
import struct
import sys
import xml.etree.ElementTree as ET

FORMAT_VERSION = 5
NARROW_DEAD = 94
WIDE_DEAD = 4095
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
# Regular expressions over digits
# --------------------------------------------------------------------------------------------

ALL_DIGITS = (1 << 10) - 1


class RegexError(Exception):
    pass


class Parser:
    """Parses the regular-expression subset that libphonenumber's metadata uses."""

    def __init__(self, text):
        self.text = text
        self.pos = 0
        self.groups = 0

    def fail(self, what):
        raise RegexError("%s at offset %d in %r" % (what, self.pos, self.text))

    def peek(self):
        return self.text[self.pos] if self.pos < len(self.text) else None

    def take(self):
        c = self.peek()
        if c is None:
            self.fail("unexpected end")
        self.pos += 1
        return c

    def parse(self):
        node = self.alternation()
        if self.pos != len(self.text):
            self.fail("unexpected character %r" % self.peek())
        return node

    def alternation(self):
        branches = [self.concatenation()]
        while self.peek() == "|":
            self.pos += 1
            branches.append(self.concatenation())
        return branches[0] if len(branches) == 1 else ("alt", branches)

    def concatenation(self):
        items = []
        while self.peek() not in (None, "|", ")"):
            items.append(self.quantified())
        return ("cat", items)

    def quantified(self):
        atom = self.atom()
        while True:
            c = self.peek()
            if c == "?":
                self.pos += 1
                atom = ("rep", atom, 0, 1)
            elif c == "*":
                self.pos += 1
                atom = ("rep", atom, 0, None)
            elif c == "+":
                self.pos += 1
                atom = ("rep", atom, 1, None)
            elif c == "{":
                self.pos += 1
                m = re.compile(r"(\d+)(,(\d*))?\}").match(self.text, self.pos)
                if not m:
                    self.fail("bad repetition")
                self.pos = m.end()
                lo = int(m.group(1))
                hi = lo if m.group(2) is None else (int(m.group(3)) if m.group(3) else None)
                atom = ("rep", atom, lo, hi)
            else:
                return atom
            if self.peek() == "?":
                self.fail("lazy quantifiers are not supported")

    def atom(self):
        c = self.take()
        if c == "(":
            if self.text.startswith("?:", self.pos):
                self.pos += 2
                index = None
            elif self.peek() == "?":
                self.fail("unsupported group kind")
            else:
                self.groups += 1
                index = self.groups
            inner = self.alternation()
            if self.take() != ")":
                self.fail("missing )")
            return ("group", index, inner)
        if c == "[":
            return ("set", self.char_class())
        if c == "\\":
            e = self.take()
            if e == "d":
                return ("set", ALL_DIGITS)
            if e.isdigit():
                self.fail("backreferences are not supported")
            return self.literal(e)
        if c == "$":
            return ("eol",)
        if c == ".":
            self.fail("'.' is not supported")
        return self.literal(c)

    def literal(self, c):
        if c not in "0123456789":
            self.fail("non-digit literal %r" % c)
        return ("set", 1 << int(c))

    def char_class(self):
        negate = False
        if self.peek() == "^":
            negate = True
            self.pos += 1
        mask = 0
        first = True
        while True:
            c = self.take()
            if c == "]" and not first:
                break
            first = False
            if c == "\\":
                e = self.take()
                if e == "d":
                    mask |= ALL_DIGITS
                    continue
                c = e
            if self.peek() == "-" and self.text[self.pos + 1] != "]":
                self.pos += 1
                hi = self.take()
                if not (c.isdigit() and hi.isdigit()):
                    self.fail("non-digit range")
                for d in range(int(c), int(hi) + 1):
                    mask |= 1 << d
            else:
                if not c.isdigit():
                    self.fail("non-digit in class %r" % c)
                mask |= 1 << int(c)
        return (ALL_DIGITS & ~mask) if negate else mask


def parse_regex(text):
    p = Parser(text)
    node = p.parse()
    return node, p.groups


def has_eol(node):
    kind = node[0]
    if kind == "eol":
        return True
    if kind == "set":
        return False
    if kind == "cat" or kind == "alt":
        return any(has_eol(n) for n in node[1])
    if kind == "rep":
        return has_eol(node[1])
    if kind == "group":
        return has_eol(node[2])
    raise AssertionError(kind)


# ---- Thompson NFA, subset construction, minimisation ----------------------------------------

class NFA:
    def __init__(self):
        self.eps = []
        self.edges = []  # list of (mask, target)

    def state(self):
        self.eps.append([])
        self.edges.append([])
        return len(self.eps) - 1

    def build(self, node, start, end):
        kind = node[0]
        if kind == "set":
            self.edges[start].append((node[1], end))
        elif kind == "cat":
            cur = start
            for item in node[1]:
                nxt = self.state()
                self.build(item, cur, nxt)
                cur = nxt
            self.eps[cur].append(end)
        elif kind == "alt":
            for branch in node[1]:
                self.build(branch, start, end)
        elif kind == "group":
            self.build(node[2], start, end)
        elif kind == "rep":
            _, inner, lo, hi = node
            cur = start
            for _ in range(lo):
                nxt = self.state()
                self.build(inner, cur, nxt)
                cur = nxt
            if hi is None:
                loop = self.state()
                self.eps[cur].append(loop)
                body_end = self.state()
                self.build(inner, loop, body_end)
                self.eps[body_end].append(loop)
                self.eps[loop].append(end)
            else:
                for _ in range(hi - lo):
                    nxt = self.state()
                    self.eps[cur].append(end)
                    self.build(inner, cur, nxt)
                    cur = nxt
                self.eps[cur].append(end)
        else:
            raise RegexError("unsupported node in a DFA pattern: %r" % (kind,))

    def closure(self, states):
        stack = list(states)
        seen = set(states)
        while stack:
            s = stack.pop()
            for t in self.eps[s]:
                if t not in seen:
                    seen.add(t)
                    stack.append(t)
        return frozenset(seen)


def compile_dfa(pattern, prefix_mode):
    """Returns (transitions, accepting) of a minimal DFA over digits.

    transitions[s][d] is the next state or -1. In prefix mode an accepting state has no
    transitions: the matcher stops with success as soon as it reaches one.
    """
    node, _ = parse_regex(pattern)
    if has_eol(node):
        raise RegexError("'$' in a DFA pattern: %r" % pattern)
    nfa = NFA()
    start, accept = nfa.state(), nfa.state()
    nfa.build(node, start, accept)
    first = nfa.closure([start])
    index = {first: 0}
    sets = [first]
    trans = []
    acc = []
    i = 0
    while i < len(sets):
        cur = sets[i]
        is_acc = accept in cur
        acc.append(is_acc)
        row = [-1] * 10
        if not (prefix_mode and is_acc):
            for d in range(10):
                bit = 1 << d
                nxt = set()
                for s in cur:
                    for mask, t in nfa.edges[s]:
                        if mask & bit:
                            nxt.add(t)
                if nxt:
                    key = nfa.closure(nxt)
                    if key not in index:
                        index[key] = len(sets)
                        sets.append(key)
                    row[d] = index[key]
        trans.append(row)
        i += 1
    return minimise(trans, acc)


def minimise(trans, acc):
    """Moore partition refinement; keeps state 0 as the start state."""
    n = len(trans)
    block = [1 if a else 0 for a in acc]
    while True:
        signature = {}
        new_block = []
        for s in range(n):
            key = (block[s], tuple(block[t] if t >= 0 else -1 for t in trans[s]))
            if key not in signature:
                signature[key] = len(signature)
            new_block.append(signature[key])
        if len(set(new_block)) == len(set(block)):
            block = new_block
            break
        block = new_block
    # Renumber so that the start state is 0, in order of first appearance (BFS from start).
    order = {}
    queue = [0]
    order[block[0]] = 0
    rep = {}
    for s in range(n):
        rep.setdefault(block[s], s)
    out_trans, out_acc = [], []
    qi = 0
    while qi < len(queue):
        s = queue[qi]
        qi += 1
        row = []
        for t in trans[s]:
            if t < 0:
                row.append(-1)
                continue
            b = block[t]
            if b not in order:
                order[b] = len(order)
                queue.append(rep[b])
            row.append(order[b])
        out_trans.append(row)
        out_acc.append(acc[s])
    return out_trans, out_acc


# ---- Backtracking programs --------------------------------------------------------------------

OP_SET, OP_SPLIT, OP_JMP, OP_SAVE, OP_EOL, OP_MATCH = range(6)


def compile_program(pattern):
    """Compiles to [(op, a, b)] for a leftmost-first backtracking matcher, plus the group count."""
    node, groups = parse_regex(pattern)
    prog = []

    def emit(op, a=0, b=0):
        prog.append([op, a, b])
        return len(prog) - 1

    def gen(n):
        kind = n[0]
        if kind == "set":
            emit(OP_SET, n[1])
        elif kind == "eol":
            emit(OP_EOL)
        elif kind == "cat":
            for item in n[1]:
                gen(item)
        elif kind == "group":
            if n[1] is not None:
                emit(OP_SAVE, 2 * n[1])
            gen(n[2])
            if n[1] is not None:
                emit(OP_SAVE, 2 * n[1] + 1)
        elif kind == "alt":
            jumps = []
            branches = n[1]
            for i, br in enumerate(branches):
                if i < len(branches) - 1:
                    split = emit(OP_SPLIT)
                    prog[split][1] = len(prog)
                    gen(br)
                    jumps.append(emit(OP_JMP))
                    prog[split][2] = len(prog)
                else:
                    gen(br)
            for j in jumps:
                prog[j][1] = len(prog)
        elif kind == "rep":
            _, inner, lo, hi = n
            for _ in range(lo):
                gen(inner)
            if hi is None:
                loop = emit(OP_SPLIT)
                prog[loop][1] = len(prog)
                gen(inner)
                emit(OP_JMP, loop)
                prog[loop][2] = len(prog)
            else:
                splits = []
                for _ in range(hi - lo):
                    s = emit(OP_SPLIT)
                    prog[s][1] = len(prog)
                    splits.append(s)
                    gen(inner)
                for s in splits:
                    prog[s][2] = len(prog)
        else:
            raise AssertionError(kind)

    emit(OP_SAVE, 0)
    gen(node)
    emit(OP_SAVE, 1)
    emit(OP_MATCH)
    return prog, groups


def run_program(prog, groups, text):
    """Reference interpreter, used to self-check programs against Python's re."""
    slots = [-1] * (2 * groups + 2)

    def step(pc, pos, slots):
        while True:
            op, a, b = prog[pc]
            if op == OP_SET:
                if pos < len(text) and (a >> int(text[pos])) & 1:
                    pc += 1
                    pos += 1
                else:
                    return None
            elif op == OP_SPLIT:
                r = step(a, pos, list(slots))
                if r is not None:
                    return r
                pc = b
            elif op == OP_JMP:
                pc = a
            elif op == OP_SAVE:
                slots[a] = pos
                pc += 1
            elif op == OP_EOL:
                if pos != len(text):
                    return None
                pc += 1
            elif op == OP_MATCH:
                return slots

    return step(0, 0, slots)


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

class Writer:
    def __init__(self):
        self.buf = bytearray()

    def u8(self, v):
        self.buf += struct.pack("<B", v)

    def u16(self, v):
        self.buf += struct.pack("<H", v)

    def i32(self, v):
        self.buf += struct.pack("<i", v)

    def u32(self, v):
        self.buf += struct.pack("<I", v)

    def align(self, n):
        while len(self.buf) % n:
            self.buf.append(0)

    def text(self, s):
        data = (s or "").encode("ascii")
        self.u8(len(data))
        self.buf += data


def length_mask(lengths):
    mask = 0
    for n in lengths:
        if not 0 < n < 32:
            raise ValueError("possible length %d out of range" % n)
        mask |= 1 << n
    return mask


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
    narrow = bytearray()
    wide = bytearray()
    w.u32(len(dfas))
    for trans, acc in dfas:
        if len(trans) < NARROW_DEAD:
            w.u32(len(narrow) // 16)
            for r, a in zip(trans, acc):
                narrow.extend(32 + (NARROW_DEAD if t < 0 else t) for t in r)
                narrow.append(32 + (1 if a else 0))
                narrow.extend([32] * 5)
        else:
            w.u32(0x80000000 | len(wide) // 32)
            for r, a in zip(trans, acc):
                for v in [WIDE_DEAD if t < 0 else t for t in r] + [1 if a else 0]:
                    wide.append(32 + (v & 63))
                    wide.append(32 + (v >> 6))
                wide.extend([32] * 10)
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

def run_dfa(dfa, digits, prefix_mode):
    trans, acc = dfa
    s = 0
    if prefix_mode and acc[0]:
        return True
    for ch in digits:
        s = trans[s][int(ch)]
        if s < 0:
            return False
        if prefix_mode and acc[s]:
            return True
    return acc[s]


def self_check(dfas, dfa_index, programs, program_index, rounds):
    """Compares every compiled pattern with Python's re on random digit strings."""
    import random
    rng = random.Random(20261124)
    bad = 0
    for (pattern, prefix_mode), i in sorted(dfa_index.items()):
        rx = re.compile(pattern)
        for _ in range(rounds):
            n = rng.randint(0, 18)
            s = "".join(rng.choice("0123456789") for _ in range(n))
            want = (rx.match(s) is not None) if prefix_mode else (rx.fullmatch(s) is not None)
            if run_dfa(dfas[i], s, prefix_mode) != want:
                bad += 1
                print("DFA mismatch %r on %r" % (pattern, s), file=sys.stderr)
                break
    for pattern, i in sorted(program_index.items()):
        rx = re.compile(pattern)
        prog, groups = programs[i]
        for _ in range(rounds):
            n = rng.randint(0, 18)
            s = "".join(rng.choice("0123456789") for _ in range(n))
            m = rx.match(s)
            got = run_program(prog, groups, s)
            want = None if m is None else [x for g in range(groups + 1) for x in m.span(g)]
            if got != want:
                bad += 1
                print("program mismatch %r on %r: %r != %r" % (pattern, s, got, want), file=sys.stderr)
                break
    return bad


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


def swift_literal(data, width=100):
    """The bytes as the body of a multi-line string literal whose UTF-8 is exactly `data`.

    Printable ASCII stays as it is; everything else is an escape; lines end with a backslash,
    which continues the literal without adding a line break.
    """
    escapes = {0: "\\0", 9: "\\t", 10: "\\n", 13: "\\r", 0x22: '\\"', 0x5C: "\\\\"}
    lines, line, length = [], [], 0
    for b in data:
        if b >= 0x80:
            raise ValueError("byte %d does not fit a 7-bit literal" % b)
        if b in escapes:
            piece = escapes[b]
        elif 0x20 <= b < 0x7F:
            piece = chr(b)
        else:
            piece = "\\u{%X}" % b
        line.append(piece)
        length += len(piece)
        if length >= width:
            lines.append("".join(line) + "\\")
            line, length = [], 0
    lines.append("".join(line))
    return "\n".join(lines)


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
