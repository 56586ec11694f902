"""kravbib's benchmark harness (issue 8): `python -m benchmarks --size small|full`."""
