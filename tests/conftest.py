import pytest

from kravbib import ruleset


@pytest.fixture(scope="session")
def rs():
    """The shipped ruleset, compiled once for the whole test session."""
    return ruleset.get()


# The real browser (one per test session) for the web tests; see tests/browser.py.
from browser import browser, page  # noqa: E402,F401
