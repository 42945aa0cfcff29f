#!/usr/bin/env python3
"""PyPI phonenumbers doing what `screenpop normalize --tsv` does, as a whole process: lines
`REGION<TAB>RAW` on standard input, one JSON object a line on standard output with the same members.
Benchmarks/compare times it against screenpop on the same input (docs/benchmarks.md).

    normalize_stream.py [--e164-only] < lines.tsv > out.jsonl
"""
import json
import sys

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

TYPES = {getattr(PhoneNumberType, name): name for name in dir(PhoneNumberType) if name.isupper()}
ERRORS = {0: "INVALID_COUNTRY_CODE", 1: "NOT_A_NUMBER", 2: "TOO_SHORT_AFTER_IDD", 3: "TOO_SHORT_NSN", 4: "TOO_LONG"}
NULLS = ("type", "region", "extension", "national", "international", "rfc3966")


def main():
    e164_only = sys.argv[1:] == ["--e164-only"]
    dumps = json.dumps
    write = sys.stdout.write
    for raw in sys.stdin.buffer:
        line = raw.decode("utf-8", "replace").rstrip("\n").rstrip("\r")
        region, tab, text = line.partition("\t")
        if not tab:
            write('{"input": %s, "e164": null, "error": "MISSING_TAB"}\n' % dumps(line, ensure_ascii=False))
            continue
        record = {"input": text}
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException as error:
            record.update(e164=None, error=ERRORS.get(error.error_type, "NOT_A_NUMBER"), valid=None)
            if not e164_only:
                record.update(dict.fromkeys(NULLS))
        else:
            record.update(e164=phonenumbers.format_number(number, PhoneNumberFormat.E164), error=None,
                          valid=phonenumbers.is_valid_number(number))
            if not e164_only:
                record.update(
                    type=TYPES.get(phonenumbers.number_type(number), "UNKNOWN"),
                    region=phonenumbers.region_code_for_number(number),
                    extension=number.extension,
                    national=phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL),
                    international=phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL),
                    rfc3966=phonenumbers.format_number(number, PhoneNumberFormat.RFC3966))
        write(dumps(record, ensure_ascii=False, separators=(", ", ": ")))
        write("\n")


if __name__ == "__main__":
    main()
