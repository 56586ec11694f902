"""python -m benchmarks [--size small|full] [--out FILE]: the performance measurements of issue 8."""

import sys

from .harness import main

if __name__ == "__main__":
    sys.exit(main())
