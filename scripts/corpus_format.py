"""Helpers shared by the golden-corpus generators (make-parse-corpus.py, make-matcher-corpus.py).

Both corpora escape their text columns the same way, which the Swift tests undo
(Tests/PhoneNumbersTests/GoldenCorpus.swift).
"""


def escape(s):
    """Backslash-escapes \\, TAB, LF, CR and other control characters (\\xHH)."""
    out = []
    for ch in s:
        o = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif o < 0x20 or o == 0x7F:
            out.append("\\x%02X" % o)
        else:
            out.append(ch)
    return "".join(out)


def to_script(s, zero, plus=None):
    """Writes the ASCII digits of s in the script whose zero is `zero` (and `+` as `plus`)."""
    out = []
    for ch in s:
        if "0" <= ch <= "9":
            out.append(chr(zero + ord(ch) - 48))
        elif ch == "+" and plus is not None:
            out.append(plus)
        else:
            out.append(ch)
    return "".join(out)
