#!/usr/bin/env python3
"""Records every call that the test suite of PyPI `phonenumbers` makes, as data: the peer corpus.

Usage (from the repository root):

    python3 scripts/make-peer-corpus.py            # writes the two corpora
    python3 scripts/make-peer-corpus.py --check    # regenerates and compares

Writes Tests/PhoneNumbersPeerTests/Fixtures/peer-cases.tsv (the calls made under the test
metadata, replayed against PhoneNumbersWithTestMetadata) and
Tests/PhoneNumbersTests/Fixtures/peer-cases-real-metadata.tsv (under the real metadata, replayed
against PhoneNumbers).

The sdist of the pinned release (scripts/peer_sdist.py fetches it) ships the library's own tests.
This script runs them, unchanged, with the public functions of `phonenumbers` wrapped: each call
that a test makes directly (not the library's calls to itself) is written down with its arguments,
its answer or exception, the test it came from, and the metadata in force (the test metadata of
`tests/testdata`, or the real one: the geocoder, carrier, time-zone and example-number tests use
the real numbering plans). Only calls whose arguments are plain data are kept: strings, integers,
booleans, None, phone numbers (rebuilt from their fields) and enumeration values by name. The
others are counted in the header. Tests/PhoneNumbersPeerTests/PeerReplay.swift replays the file
(docs/peer-tests.md).

Format: `#` lines are comments; a line `@<TAB>Class.method` starts the cases of one test; a case is a line of
tab-separated, escaped (corpus_format.py) columns: function, result, then the arguments. A call
that an earlier test made already is not repeated.
A value is `-` (None), `s:text`, `i:42`, `b:1`, an enumeration value `f:NATIONAL` (format),
`t:MOBILE` (type), `v:IS_POSSIBLE` (validation result), `m:EXACT_MATCH` (match type),
`c:TOLL_FREE` (short-number cost), `l:VALID` (leniency), a number `n:cc|national|ext|leading
zeros`, where leading zeros is the count of zeros the Italian leading zero stands for (0 without
one) and `N:` instead of `n:` says that the number also holds raw input, a country-code source or
a preferred carrier code, `L:` a list of values joined by `\\x1F`, `E:TOO_LONG` a
NumberParseException, `X:ValueError` another exception. The matcher's cases are written as a
function `find_numbers(text, region, leniency, max_tries, min_candidate_length)` whose result lists its matches as
`start,end,number`. The as-you-type formatter's are `as_you_type(region, digits typed so far)`.
"""

import argparse
import functools
import inspect
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpus_format import escape  # noqa: E402
from peer_sdist import ensure_sdist, import_sdist  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUTPUTS = {
    "test": os.path.join(ROOT, "Tests", "PhoneNumbersPeerTests", "Fixtures", "peer-cases.tsv"),
    "real": os.path.join(ROOT, "Tests", "PhoneNumbersTests", "Fixtures", "peer-cases-real-metadata.tsv"),
}
TEST_MODULES = ["phonenumbertest", "phonenumberutiltest", "shortnumberinfotest", "asyoutypetest",
                "examplenumberstest", "phonenumbermatchertest", "geocodertest", "carriertest", "timezonetest"]
LIST_SEPARATOR = "\x1f"


class NotData(Exception):
    """An argument or result that is not plain data."""


class Recorder:
    def __init__(self, phonenumbers, tests_dir):
        self.pn = phonenumbers
        self.tests_dir = os.path.abspath(tests_dir) + os.sep
        self.rows = []
        self.seen = set()
        self.suppressed = False
        self.searched = set()
        self.skipped = {}  # function -> calls whose arguments or answer are not plain data
        from phonenumbers import (PhoneNumber, PhoneNumberFormat, PhoneNumberType, ValidationResult, MatchType,
                                  ShortNumberCost, Leniency, CountryCodeSource, NumberParseException)
        self.PhoneNumber = PhoneNumber
        self.NumberParseException = NumberParseException
        self.CountryCodeSource = CountryCodeSource

        def names(cls):
            return {v: k for k, v in vars(cls).items() if k.isupper() and isinstance(v, int)}
        self.enums = {"f": names(PhoneNumberFormat), "t": names(PhoneNumberType), "v": names(ValidationResult),
                      "m": names(MatchType), "c": names(ShortNumberCost), "l": names(Leniency)}
        self.parse_errors = names(NumberParseException)

    # Which arguments and answers are enumeration values (Python passes them as plain ints).
    ARGUMENT_KINDS = {"num_format": "f", "num_type": "t", "numtype": "t", "leniency": "l"}
    RESULT_KINDS = {
        "number_type": "t", "is_possible_number_with_reason": "v", "is_possible_number_for_type_with_reason": "v",
        "is_number_match": "m", "expected_cost": "c", "expected_cost_for_region": "c",
        "supported_types_for_region": "t", "supported_types_for_non_geo_entity": "t",
    }

    def metadata(self):
        from tests.testmetadatatest import TEST_CC_TO_RC
        return "test" if self.pn.phonenumberutil.COUNTRY_CODE_TO_REGION_CODE is TEST_CC_TO_RC else "real"

    def caller_is_test(self, depth):
        return sys._getframe(depth + 1).f_code.co_filename.startswith(self.tests_dir)

    def test_name(self):
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_name.startswith("test") and "self" in frame.f_locals \
                    and frame.f_code.co_filename.startswith(self.tests_dir):
                return "%s.%s" % (type(frame.f_locals["self"]).__name__, frame.f_code.co_name)
            frame = frame.f_back
        return "?"

    def value(self, v, kind=None):
        if v is None:
            return "-"
        if isinstance(v, self.PhoneNumber):
            return self.number(v)
        if isinstance(v, bool):
            return "b:%d" % v
        if kind is not None and isinstance(v, int):
            if v not in self.enums[kind]:
                raise NotData()
            return "%s:%s" % (kind, self.enums[kind][v])
        if isinstance(v, int):
            return "i:%d" % v
        if isinstance(v, str):
            return "s:" + v
        if isinstance(v, (list, tuple, set, frozenset)):
            items = [self.value(x, kind) for x in v]
            if isinstance(v, (set, frozenset)):
                items.sort()
            return "L:" + LIST_SEPARATOR.join(items)
        raise NotData()

    def number(self, n):
        zeros = (n.number_of_leading_zeros or 1) if n.italian_leading_zero else 0
        extras = (n.raw_input is not None or n.preferred_domestic_carrier_code is not None
                  or (n.country_code_source or 0) != self.CountryCodeSource.UNSPECIFIED)
        if n.country_code is None or n.national_number is None:
            raise NotData()
        return "%s:%d|%d|%s|%d" % ("N" if extras else "n", n.country_code, n.national_number,
                                   "~" if n.extension is None else n.extension, zeros)

    def error(self, e):
        if isinstance(e, self.NumberParseException):
            return "E:" + self.parse_errors.get(e.error_type, str(e.error_type))
        return "X:" + type(e).__name__

    def add(self, function, args, result):
        """Keeps the first test that makes a call: the same call from another test adds nothing."""
        if self.suppressed:
            return
        key = (self.metadata(), function, result) + tuple(args)
        if function == "find_numbers":
            self.searched.add((key[0], function) + tuple(args))
        if key not in self.seen:
            self.seen.add(key)
            self.rows.append((key[0], self.test_name()) + key[1:])

    def skip(self, function):
        self.skipped[function] = self.skipped.get(function, 0) + 1

    def wrap(self, name, f):
        signature = inspect.signature(f)
        recorder = self

        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            if not recorder.caller_is_test(1):
                return f(*args, **kwargs)
            try:
                bound = signature.bind(*args, **kwargs)
                bound.apply_defaults()
                values = [recorder.value(v, recorder.ARGUMENT_KINDS.get(p)) for p, v in bound.arguments.items()]
            except (NotData, TypeError):
                values = None
            try:
                result = f(*args, **kwargs)
            except Exception as e:
                if values is None:
                    recorder.skip(name)
                else:
                    recorder.add(name, values, recorder.error(e))
                raise
            if values is None:
                recorder.skip(name)
            else:
                try:
                    recorder.add(name, values, recorder.value(result, recorder.RESULT_KINDS.get(name)))
                except NotData:
                    recorder.skip(name)
            return result
        return wrapper

    def install(self):
        """Wraps every public function of the modules the tests call, in every module that binds it."""
        pn = self.pn
        import phonenumbers.carrier
        import phonenumbers.geocoder
        import phonenumbers.timezone
        modules = [pn, pn.phonenumberutil, pn.shortnumberinfo, pn.geocoder, pn.carrier, pn.timezone]
        wrappers = {}
        for module in modules:
            for name, f in list(vars(module).items()):
                if name.startswith("_") or not inspect.isfunction(f) or name in ("prnt", "enable_pattern_cache"):
                    continue
                if not f.__module__.startswith("phonenumbers"):
                    continue
                if f not in wrappers:
                    wrappers[f] = self.wrap(name, f)
                setattr(module, name, wrappers[f])
        self.install_matcher()
        self.install_as_you_type()

    def install_matcher(self):
        pn = self.pn
        from phonenumbers import phonenumbermatcher
        real = phonenumbermatcher.PhoneNumberMatcher
        recorder = self

        class RecordingMatcher(real):
            """Runs a second, untouched matcher to completion and records what it finds."""
            def __init__(self, text, region, leniency=pn.Leniency.VALID, max_tries=65535, min_candidate_length=1):
                if recorder.caller_is_test(1):
                    try:
                        values = [recorder.value(text), recorder.value(region), recorder.value(leniency, "l"),
                                  recorder.value(max_tries), recorder.value(min_candidate_length)]
                    except NotData:
                        values = None
                    if values is None:
                        recorder.skip("find_numbers")
                    else:
                        try:
                            found = ["%d,%d,%s" % (m.start, m.end, recorder.number(m.number))
                                     for m in real(text, region, leniency, max_tries, min_candidate_length)]
                            recorder.add("find_numbers", values, "L:" + LIST_SEPARATOR.join(found))
                        except Exception as e:
                            recorder.add("find_numbers", values, recorder.error(e))
                super().__init__(text, region, leniency, max_tries, min_candidate_length)
        RecordingMatcher.__name__ = "PhoneNumberMatcher"
        phonenumbermatcher.PhoneNumberMatcher = RecordingMatcher
        pn.PhoneNumberMatcher = RecordingMatcher

    def install_as_you_type(self):
        pn = self.pn
        from phonenumbers import asyoutypeformatter
        real = asyoutypeformatter.AsYouTypeFormatter
        recorder = self

        class RecordingFormatter(real):
            def __init__(self, region_code):
                super().__init__(region_code)
                self._recorded_region = region_code
                self._typed = ""

            def clear(self):
                self._typed = ""
                return super().clear()

            def _record(self, name, digit, f, *args):
                self._typed += digit
                result = f(*args)
                if recorder.caller_is_test(2):
                    recorder.add(name, [recorder.value(self._recorded_region), recorder.value(self._typed)],
                                 recorder.value(result))
                return result

            def input_digit(self, next_char, remember_position=False):
                return self._record("as_you_type", next_char, super().input_digit, next_char, remember_position)

            def input_digit_and_remember_position(self, next_char):
                return self._record("as_you_type", next_char, super().input_digit_and_remember_position, next_char)

            def get_remembered_position(self):
                result = super().get_remembered_position()
                if recorder.caller_is_test(1):
                    recorder.add("as_you_type_remembered_position",
                                 [recorder.value(self._recorded_region), recorder.value(self._typed)],
                                 recorder.value(result))
                return result
        RecordingFormatter.__name__ = "AsYouTypeFormatter"
        asyoutypeformatter.AsYouTypeFormatter = RecordingFormatter
        pn.AsYouTypeFormatter = RecordingFormatter


def record_termination(recorder, matcher_test):
    """The matcher tests run the matcher on every suffix of each text they try and check only
    that it ends (`ensureTermination`): the replay does the same for the text of every
    find_numbers case, and a text no find_numbers case holds gets one case,
    `ensure_termination(text, region, leniency)`, without an answer (the suffixes' answers would be
    ~30,000 cases that no test checks)."""
    original = matcher_test.ensureTermination

    def ensure_termination(self, text, default_country, leniency):
        args = [recorder.value(text), recorder.value(default_country), recorder.value(leniency, "l")]
        # The replay runs every find_numbers case on each suffix of its text: a text a test searched
        # already needs no case of its own.
        searched = (recorder.metadata(), "find_numbers") + tuple(args) + ("i:65535", "i:1")
        if searched not in recorder.searched:
            recorder.add("ensure_termination", args, "-")
        recorder.suppressed = True
        try:
            return original(self, text, default_country, leniency)
        finally:
            recorder.suppressed = False
    matcher_test.ensureTermination = ensure_termination


def record():
    unpacked = ensure_sdist()
    phonenumbers = import_sdist(unpacked)
    recorder = Recorder(phonenumbers, os.path.join(unpacked, "tests"))
    recorder.install()
    import importlib
    suite = unittest.TestSuite()
    loader = unittest.TestLoader()
    for name in TEST_MODULES:
        module = importlib.import_module("tests." + name)
        if name == "phonenumbermatchertest":
            record_termination(recorder, module.PhoneNumberMatcherTest)
        suite.addTests(loader.loadTestsFromModule(module))
    with open(os.devnull, "w") as devnull:
        stdout = sys.stdout
        sys.stdout = devnull  # the example-number tests print what they check
        try:
            result = unittest.TextTestRunner(stream=devnull, verbosity=0).run(suite)
        finally:
            sys.stdout = stdout
    problems = [str(t) for t, _ in result.failures + result.errors]
    if problems:
        sys.exit("the sdist's tests do not pass with the recorder in place: %s" % ", ".join(problems[:10]))
    return phonenumbers.__version__, result.testsRun, recorder


def render(version, tests_run, recorder, metadata):
    rows = [row for row in recorder.rows if row[0] == metadata]
    where = "the test metadata (tests/testdata)" if metadata == "test" else "the real metadata"
    lines = [
        "# The test suite of PyPI phonenumbers %s (its sdist's tests/), recorded by scripts/make-peer-corpus.py:"
        % version,
        "# the calls made under %s. Do not edit: run `python3 scripts/make-peer-corpus.py`." % where,
        "# Format and replay: docs/peer-tests.md. %d tests ran; %d calls recorded here." % (tests_run, len(rows)),
    ]
    if metadata == "test":
        for name in sorted(recorder.skipped):
            lines.append("# not data (all tests): %s %d" % (name, recorder.skipped[name]))
    test = None
    for row in rows:
        if row[1] != test:
            test = row[1]
            lines.append("@\t" + escape(test))
        lines.append("\t".join(escape(c) for c in row[2:]))
    return "\n".join(lines) + "\n"


def main():
    # The tests iterate sets of region codes (example numbers of any region, every region in turn):
    # with string hashing fixed, they make the same calls in the same order on every run.
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.execve(sys.executable, [sys.executable] + sys.argv, dict(os.environ, PYTHONHASHSEED="0"))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="do not write: regenerate and compare")
    args = ap.parse_args()
    recorded = record()
    status = 0
    for metadata, path in OUTPUTS.items():
        text = render(*recorded, metadata)
        name = os.path.relpath(path, ROOT)
        if args.check:
            try:
                with open(path) as f:
                    same = f.read() == text
            except FileNotFoundError:
                same = False
            if same:
                print("check passed: %s equals a fresh recording" % name)
            else:
                print("%s differs from a fresh recording: run python3 scripts/make-peer-corpus.py" % name,
                      file=sys.stderr)
                status = 1
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        cases = sum(1 for line in text.splitlines() if not line.startswith(("#", "@")))
        print("wrote %s: %d cases, %d bytes" % (name, cases, len(text.encode("utf-8"))))
    return status


if __name__ == "__main__":
    sys.exit(main())
