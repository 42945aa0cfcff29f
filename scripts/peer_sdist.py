#!/usr/bin/env python3
"""The source distribution of PyPI `phonenumbers` at the pin, for its own test suite (docs/peer-tests.md).

Usage (from the repository root; CI runs it before the peer-suite checks):

    python3 scripts/peer_sdist.py      # fetches once, prints the unpacked directory

The wheel that `pip install` brings has no tests; the sdist ships `tests/` with the test metadata
(`tests/testdata`, libphonenumber's PhoneNumberMetadataForTesting.xml as Python) and the test
modules. They are unpacked under `.build/peer-sdist/` (not committed), or under
`$PHONENUMBERS_SDIST_DIR`. A second run finds them there and returns at once; the archive is
checked against the digest in `scripts/phonenumbers.sdist.sha256` so that the cases cannot change
under a pin that did not.
"""

import hashlib
import os
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle import pinned_version  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DIGEST_FILE = os.path.join(HERE, "phonenumbers.sdist.sha256")


def sdist_parent():
    return os.environ.get("PHONENUMBERS_SDIST_DIR") or os.path.join(ROOT, ".build", "peer-sdist")


def _expected_digest():
    with open(DIGEST_FILE) as f:
        return f.read().split()[0]


def ensure_sdist():
    """The unpacked sdist directory (holding `phonenumbers/` and `tests/`); fetches it if needed.

    Exits with a message when it cannot be fetched (no network, no pip) or its digest differs.
    """
    version = pinned_version()
    parent = sdist_parent()
    unpacked = os.path.join(parent, "phonenumbers-%s" % version)
    marker = os.path.join(unpacked, ".screenpop-verified")
    if os.path.exists(marker):
        return unpacked
    archive = os.path.join(parent, "phonenumbers-%s.tar.gz" % version)
    os.makedirs(parent, exist_ok=True)
    if not os.path.exists(archive):
        cmd = [sys.executable, "-m", "pip", "download", "phonenumbers==%s" % version, "--no-binary", ":all:",
               "--no-deps", "--timeout", "20", "--retries", "1", "-d", parent,
               "--quiet"]
        try:
            result = subprocess.run(cmd, capture_output=True, text=True)
        except OSError as error:
            sys.exit("cannot run pip to fetch the phonenumbers %s sdist: %s" % (version, error))
        if result.returncode != 0 or not os.path.exists(archive):
            tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-3:])
            sys.exit("could not download the phonenumbers %s sdist from PyPI (is the network reachable?); "
                     "pip said:\n%s" % (version, tail))
    with open(archive, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if digest != _expected_digest():
        sys.exit("%s has sha256 %s, scripts/phonenumbers.sdist.sha256 says %s: delete it and run again, "
                 "or update the digest together with scripts/phonenumbers.version"
                 % (archive, digest, _expected_digest()))
    with tarfile.open(archive) as tar:
        tar.extractall(parent, filter="data")
    if not os.path.isdir(os.path.join(unpacked, "tests", "testdata")):
        sys.exit("%s has no tests/testdata: not the sdist the peer suite expects" % archive)
    with open(marker, "w") as f:
        f.write(digest + "\n")
    return unpacked


def import_sdist(unpacked):
    """Makes the sdist's `phonenumbers` and `tests` packages the ones `import` finds, as its own
    test runner (testwrapper.py, run from the sdist root) does; returns its `phonenumbers`."""
    sys.path.insert(0, unpacked)
    for name in list(sys.modules):
        if name == "phonenumbers" or name.startswith("phonenumbers.") or name == "tests" or name.startswith("tests."):
            del sys.modules[name]
    import phonenumbers
    if not os.path.abspath(phonenumbers.__file__).startswith(os.path.abspath(unpacked)):
        sys.exit("imported phonenumbers from %s, not from the sdist at %s" % (phonenumbers.__file__, unpacked))
    if phonenumbers.__version__ != pinned_version():
        sys.exit("the sdist holds phonenumbers %s, the pin is %s" % (phonenumbers.__version__, pinned_version()))
    return phonenumbers


if __name__ == "__main__":
    print(ensure_sdist())
