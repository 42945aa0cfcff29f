"""Regular expressions over the digits 0-9, compiled for ScreenPop's binary metadata.

libphonenumber's numbering-plan patterns (and its short-number patterns) use a small regex subset:
character classes, groups, alternation, `?`, `*`, `+`, bounded repetition and `$`. This module
parses that subset and compiles a pattern either into a minimal DFA (full or prefix match) or into
a small backtracking program that keeps Python's leftmost-first order and capture groups. It also
has the little-endian writer and the Swift string-literal encoder that the generators share, and a
self-check against Python's `re`. docs/metadata-format.md describes the output.
"""

import re
import struct
import sys

# --------------------------------------------------------------------------------------------
# Regular expressions over digits
# --------------------------------------------------------------------------------------------

ALL_DIGITS = (1 << 10) - 1
NARROW_DEAD = 94
WIDE_DEAD = 4095


class RegexError(Exception):
    pass


# libphonenumber's test metadata has a national prefix for parsing of "0~0" (AO), which the
# patterns meet only as digits: a non-digit literal then matches nothing. The production metadata
# has none, and a new one there is a surprise worth stopping for, so this is off unless the
# test image is being compiled.
NON_DIGIT_LITERALS_MATCH_NOTHING = False


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
            if NON_DIGIT_LITERALS_MATCH_NOTHING:
                return ("set", 0)
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


def dfa_rows(dfas):
    """The rows of `dfas` as the two string literals the library reads in place.

    Returns (first row of each DFA, with bit 31 set for a wide one; narrow rows; wide rows).
    A narrow row is 16 bytes: the next state for digits 0-9 (NARROW_DEAD: none), flags (bit 0:
    accepting) and padding, each stored as value + 32 so that every byte is printable ASCII.
    DFAs of NARROW_DEAD states or more are wide: 32-byte rows of 11 values of two bytes, each
    holding 6 bits + 32 (low first; WIDE_DEAD: none).
    """
    narrow = bytearray()
    wide = bytearray()
    first_rows = []
    for trans, acc in dfas:
        if len(trans) < NARROW_DEAD:
            first_rows.append(len(narrow) // 16)
            for r, a in zip(trans, acc):
                narrow.extend(32 + (NARROW_DEAD if t < 0 else t) for t in r)
                narrow.append(32 + (1 if a else 0))
                narrow.extend([32] * 5)
        else:
            first_rows.append(0x80000000 | len(wide) // 32)
            for r, a in zip(trans, acc):
                for v in [WIDE_DEAD if t < 0 else t for t in r] + [1 if a else 0]:
                    wide.append(32 + (v & 63))
                    wide.append(32 + (v >> 6))
                wide.extend([32] * 10)
    return first_rows, bytes(narrow), bytes(wide)


def image_members(blob, narrow, wide, what):
    """The Swift members that carry an image: `encodedData` (base64 of `blob`, 120 characters a
    line) and the DFA rows `narrowDFARows` and `wideDFARows`, read in place. `what` names the image
    in the first doc comment ("The compiled metadata")."""
    import base64
    encoded = base64.b64encode(blob).decode("ascii")
    body = "\n".join(encoded[i:i + 120] for i in range(0, len(encoded), 120))
    q = '"' * 3
    return (
        "    /// %s without the DFA rows (docs/metadata-format.md), base64-encoded.\n"
        "    static let encodedData: StaticString = %s\n%s\n%s\n\n"
        "    /// The rows of the narrow DFAs, read in place: 16 bytes a state, each value + 32.\n"
        "    static let narrowDFARows: StaticString = %s\n%s\n%s\n\n"
        "    /// The rows of the wide DFAs, read in place: 32 bytes a state, 11 values of two 6-bit bytes + 32.\n"
        "    static let wideDFARows: StaticString = %s\n%s\n%s\n"
    ) % (what, q, body, q, q, swift_literal(narrow), q, q, swift_literal(wide), q)
