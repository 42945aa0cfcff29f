"""The oracle every generator and corpus script reads: PyPI `phonenumbers` at the pinned version.

The pin is `scripts/phonenumbers.version` (one line). `scripts/update-phonenumbers.sh VERSION`
moves it; nothing else names a version.
"""

import os
import sys

PIN_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "phonenumbers.version")


def pinned_version():
    with open(PIN_FILE) as f:
        return f.read().strip()


def require_phonenumbers():
    """Imports `phonenumbers` and checks that it is the pinned version; exits with a message if not."""
    want = pinned_version()
    try:
        import phonenumbers
    except ImportError:
        sys.exit("PyPI phonenumbers is not installed: pip install phonenumbers==%s" % want)
    if phonenumbers.__version__ != want:
        sys.exit("PyPI phonenumbers %s is installed, the pin (scripts/phonenumbers.version) is %s: "
                 "pip install phonenumbers==%s" % (phonenumbers.__version__, want, want))
    return phonenumbers
