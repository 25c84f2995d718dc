"""The benchmark scripts import their shared modules as siblings (``from results import ...``,
their directory is the first entry of ``sys.path`` when they run): the tests do the same."""

from __future__ import annotations

import sys
from pathlib import Path

BENCHMARKS_DIR = Path(__file__).resolve().parents[3] / "benchmarks"
if str(BENCHMARKS_DIR) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS_DIR))
