#!/usr/bin/env python3
"""Writes the seed candidates of every fuzz target to OUT/<target>/, one input a file, from the
golden corpora, the examples and the string literals of the tests. scripts/fuzz.sh seeds merges them
(libFuzzer's -merge=1, which keeps the inputs that add coverage) into Fuzz/Corpus/<target>/.

Usage: Fuzz/make-seeds.py OUT
"""
import glob
import hashlib
import json
import os
import random
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests/PhoneNumbersTests/Fixtures")
# The phone targets' region table (Fuzz/Sources/PhoneFuzzSupport/Regions.swift): six that are not
# regions, then the regions of the metadata in alphabetical order. PyPI phonenumbers (the oracle the
# metadata is generated from) gives the same regions.
NOT_REGIONS = [None, "ZZ", "001", "ru", "XX", ""]


def region_table():
    import phonenumbers

    return NOT_REGIONS + sorted(phonenumbers.SUPPORTED_REGIONS)


def region_byte(table, region):
    if region in ("", "-", "None"):
        region = None
    return table.index(region) if region in table else 0


def unescape_corpus(text):
    """The golden corpora's escapes: \\\\, \\t, \\n, \\r and \\xHH."""
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c != "\\":
            out.append(c)
            i += 1
        elif text[i + 1] == "x":
            out.append(chr(int(text[i + 2 : i + 4], 16)))
            i += 4
        else:
            out.append({"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}[text[i + 1]])
            i += 2
    return "".join(out)


def corpus_rows(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#") and line.strip():
                yield line.rstrip("\n").split("\t")


def unescape_swift(body):
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        n = body[i + 1]
        if n == "u":
            end = body.index("}", i)
            out.append(chr(int(body[i + 3 : end], 16)))
            i = end + 1
        elif n == "(":
            return None  # interpolation: not a literal input
        else:
            out.append({"n": "\n", "t": "\t", "r": "\r", "0": "\0", '"': '"', "'": "'", "\\": "\\"}.get(n, n))
            i += 2
    return "".join(out)


LITERAL = re.compile(r'(#?)"""\n(.*?)\n\s*"""\1|#"(.*?)"#|"((?:[^"\\\n]|\\.)*)"', re.S)


def swift_literals(path):
    """The string literals of a Swift file, those joined by `+` joined."""
    with open(path, encoding="utf-8") as f:
        source = f.read()
    result, current, last_end = [], None, None
    for m in LITERAL.finditer(source):
        if m.group(2) is not None:
            lines = m.group(2).split("\n")
            indent = min((len(l) - len(l.lstrip()) for l in lines if l.strip()), default=0)
            value = "\n".join(l[indent:] for l in lines)
            if not m.group(1):
                value = unescape_swift(value)
        elif m.group(3) is not None:
            value = m.group(3)
        else:
            value = unescape_swift(m.group(4))
        if value is None:
            current, last_end = None, m.end()
            continue
        between = source[last_end : m.start()] if last_end is not None else None
        if current is not None and between is not None and re.fullmatch(r"\s*\+\s*", between):
            current += value
            result[-1] = current
        else:
            current = value
            result.append(value)
        last_end = m.end()
    return result


def write(out, target, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    directory = os.path.join(out, target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def main():
    out = sys.argv[1]
    rng = random.Random(16)
    table = region_table()

    # phone-parse: region byte + text, from the parse, format and peer corpora.
    rows = list(corpus_rows("parse-corpus.tsv"))
    for row in rows:
        write(out, "phone-parse", bytes([region_byte(table, row[0])]) + unescape_corpus(row[1]).encode())
    # caller-id: the same texts, and what PBXs send around them.
    for row in rng.sample(rows, 3000):
        text = unescape_corpus(row[1])
        byte = bytes([region_byte(table, row[0])])
        write(out, "caller-id", byte + text.encode())
        wrapped = rng.choice(['sip:{}@pbx.example.com', '"Name" <sip:{}@10.0.0.1>', "tel:{}", "{}@c.us", " '{}' "])
        write(out, "caller-id", byte + wrapped.format(text).encode())
    for literal in swift_literals(os.path.join(ROOT, "Tests/PhoneNumbersTests/CallerIDTests.swift")):
        write(out, "caller-id", bytes([region_byte(table, "RU")]) + literal.encode())

    # phone-match: region byte, leniency byte (bit 0: POSSIBLE; 2: the default try budget), text.
    for row in corpus_rows("matcher-corpus.tsv"):
        leniency = 0x03 if row[1] == "POSSIBLE" else 0x02
        write(out, "phone-match", bytes([region_byte(table, row[0]), leniency]) + unescape_corpus(row[2]).encode())

    # json: the reader's tests, the demo account's pages, and the events bodies.
    for path in glob.glob(os.path.join(ROOT, "Tests/ScreenPopJSONTests/*.swift")):
        for literal in swift_literals(path):
            write(out, "json", literal)
    for path in glob.glob(os.path.join(ROOT, "Examples/demo-account/*.json")):
        with open(path, "rb") as f:
            data = f.read()
        write(out, "json", data)
        write(out, "v4-page", data)
        document = json.loads(data)
        # One page a file too, and each entity alone: smaller seeds mutate faster.
        for page in document if isinstance(document, list) else [document]:
            write(out, "v4-page", json.dumps(page, ensure_ascii=False))
            for kind, entities in (page.get("_embedded") or {}).items():
                for entity in (entities if isinstance(entities, list) else [])[:6]:
                    small = {"_embedded": {kind: [entity]}}
                    write(out, "v4-page", json.dumps(small, ensure_ascii=False))
                    write(out, "json", json.dumps(small, ensure_ascii=False))
    for path in glob.glob(os.path.join(ROOT, "Tests/AmoCRMTests/*.swift")):
        for literal in swift_literals(path):
            if literal.lstrip().startswith(("{", "[")):
                write(out, "v4-page", literal)

    # events-json and events-form: the request bodies of the CallEvents tests.
    for path in glob.glob(os.path.join(ROOT, "Tests/CallEventsTests/*.swift")):
        for literal in swift_literals(path):
            if literal.lstrip().startswith(("{", "[")):
                write(out, "events-json", literal)
                write(out, "json", literal)
            elif "=" in literal and ("add" in literal or "&" in literal):
                write(out, "events-form", literal)

    # webhook: the webhook fixtures and the bodies of the webhook tests.
    for path in glob.glob(os.path.join(ROOT, "Tests/AmoCRMTests/Webhook*.swift")):
        for literal in swift_literals(path):
            if "=" in literal and "[" in literal or "%5B" in literal:
                write(out, "webhook", literal)
                write(out, "events-form", literal)


main()
