#!/usr/bin/env python3
"""PyPI phonenumbers on a corpus in the golden corpus's format (docs/golden-corpus.md), measured as
screenpop-compare's `parse` mode measures ScreenPop.

    parse_bench.py <corpus.tsv> <results.txt> [repeats] [formats.txt]

Writes one line per input (the E.164 form, or ERROR) and prints one JSON line of timings: the median
over inputs of each input's mean over `repeats` parses, the mean of a whole pass, the start-up (import
and the first parse) and the peak resident set. With formats.txt, also formats every number that
parsed NATIONAL, INTERNATIONAL and RFC3966, as screenpop-compare does: one line per input (the three
TAB-separated, or ERROR) and, per format, the median of per-number means over `repeats` formats and
the mean of a pass (parsing untimed).
"""
import json
import resource
import sys
import time

t0 = time.perf_counter_ns()
import phonenumbers  # noqa: E402


def unescape(s):
    if "\\" not in s:
        return s
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c != "\\" or i + 1 >= len(s):
            out.append(c)
            i += 1
            continue
        n = s[i + 1]
        if n == "x":
            out.append(chr(int(s[i + 2:i + 4], 16)))
            i += 4
            continue
        out.append({"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}.get(n, "\\" + n))
        i += 2
    return "".join(out)


def peak_rss_kib():
    """VmHWM, which starts anew at exec (ru_maxrss keeps the peak of the parent process)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def parse_to_e164(region, text):
    try:
        n = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164)


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: parse_bench.py <corpus.tsv> <results.txt> [repeats]")
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    inputs = []
    with open(sys.argv[1], encoding="utf-8", newline="\n") as f:
        for line in f.read().split("\n"):
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            inputs.append((cols[0], unescape(cols[1])))
    parse_to_e164(*inputs[0])
    startup = time.perf_counter_ns() - t0
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        for region, text in inputs:
            r = parse_to_e164(region, text)
            out.write((r if r is not None else "ERROR") + "\n")
    clock = time.perf_counter_ns
    p0 = clock()
    for region, text in inputs:
        parse_to_e164(region, text)
    total = clock() - p0
    per = []
    for region, text in inputs:
        s = clock()
        for _ in range(repeats):
            parse_to_e164(region, text)
        per.append((clock() - s) // repeats)
    per.sort()
    n = len(per)
    result = {
        "peer": "phonenumbers-python", "count": n, "repeats": repeats, "median_ns": per[n // 2],
        "p99_ns": per[min(n - 1, round((n - 1) * 0.99))], "mean_ns": total / n, "total_ms": total / 1e6,
        "startup_ms": startup / 1e6,
        "version": phonenumbers.__version__, "python": sys.version.split()[0],
    }
    if len(sys.argv) > 4:
        result.update(format_numbers(inputs, sys.argv[4], repeats))
    result["peak_rss_kib"] = peak_rss_kib()
    print(json.dumps(result))


FORMATS = [("national", phonenumbers.PhoneNumberFormat.NATIONAL),
           ("international", phonenumbers.PhoneNumberFormat.INTERNATIONAL),
           ("rfc3966", phonenumbers.PhoneNumberFormat.RFC3966)]


def format_numbers(inputs, path, repeats):
    """Formats every number that parsed; returns the timings' JSON fields."""
    numbers = []
    with open(path, "w", encoding="utf-8") as out:
        for region, text in inputs:
            try:
                n = phonenumbers.parse(text, region)
            except phonenumbers.NumberParseException:
                out.write("ERROR\n")
                continue
            numbers.append(n)
            out.write("\t".join(phonenumbers.format_number(n, f) for _, f in FORMATS) + "\n")
    result = {"formatted_count": len(numbers)}
    clock, format_number = time.perf_counter_ns, phonenumbers.format_number
    for key, f in FORMATS:
        p0 = clock()
        for n in numbers:
            format_number(n, f)
        total = clock() - p0
        per = []
        for n in numbers:
            s = clock()
            for _ in range(repeats):
                format_number(n, f)
            per.append((clock() - s) // repeats)
        per.sort()
        result[f"format_{key}_median_ns"] = per[len(per) // 2]
        result[f"format_{key}_mean_ns"] = total / len(numbers)
    return result


if __name__ == "__main__":
    main()
