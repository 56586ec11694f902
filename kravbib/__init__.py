"""kravbib: a national requirements library for digital health services for prescribed self-care."""

__version__ = "0.1.0"
