"""Accuracy benchmark: rep counts per leg and mistake detection, scored against ground truth.

The same as ``formcheck bench accuracy`` (options: ``--help``); kept here beside speed.py.

    python benchmarks/accuracy.py --models lite,full --clips 96 --no-cache
"""

import sys

from formcheck.cli import app

if __name__ == "__main__":
    app(["bench", "accuracy", *sys.argv[1:]])
