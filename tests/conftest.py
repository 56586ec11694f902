import pytest

from kravbib import ruleset


@pytest.fixture(scope="session")
def rs():
    """The shipped ruleset, compiled once for the whole test session."""
    return ruleset.get()
