#!/usr/bin/env python3
"""What PyPI phonenumbers (the oracle, 9.0.43) says about an input of a phone fuzz target: the
region its first byte picks (the table of Fuzz/Sources/PhoneFuzzSupport/Regions.swift), the parse,
the formats and what they parse back to; for phone-match, the matches. Use it on a finding before
calling it a bug: a property that phonenumbers fails too is libphonenumber's behaviour.

Usage: Fuzz/phone-oracle.py phone-parse|caller-id|phone-match FILE
"""
import sys

import phonenumbers as p

TABLE = [None, "ZZ", "001", "ru", "XX", ""] + sorted(p.SUPPORTED_REGIONS)


def show(number):
    e164 = p.format_number(number, p.PhoneNumberFormat.E164)
    return f"{e164} ext={number.extension} valid={p.is_valid_number(number)} possible={p.is_possible_number(number)}"


def main():
    target, path = sys.argv[1], sys.argv[2]
    data = open(path, "rb").read()
    region = TABLE[data[0] % len(TABLE)]
    rest = data[2:] if target == "phone-match" else data[1:]
    text = rest.decode("utf-8", "replace")
    print(f"phonenumbers {p.__version__}; region {region!r}; text {text!r}")
    if target == "phone-match":
        leniency = p.Leniency.POSSIBLE if data[1] & 1 else p.Leniency.VALID
        for match in p.PhoneNumberMatcher(text, region, leniency=leniency):
            print(f"  match {match.start}..{match.end} {match.raw_string!r}: {show(match.number)}")
        return
    try:
        number = p.parse(text, region)
    except p.NumberParseException as error:
        print(f"  parse: error {error}")
        return
    print(f"  parse: {show(number)}")
    for name in ("E164", "INTERNATIONAL", "NATIONAL", "RFC3966"):
        written = p.format_number(number, getattr(p.PhoneNumberFormat, name))
        try:
            again = show(p.parse(written, "ZZ"))
        except p.NumberParseException as error:
            again = f"error {error}"
        print(f"  {name} {written!r} parses as {again}")


main()
