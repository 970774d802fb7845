"""Benchmarks: each one measures a figure and a baseline in the same run and reports the ratio.

`python -m bench [name ...]` (or `make bench`) runs them, writes bench/results/<name>.json and
regenerates docs/benchmarks.md. A benchmark is a module here with `TITLE` and a `run()` that
returns a dict with these keys (bench/__main__.py adds the machine and the date):

- summary: what is measured, in a sentence or two;
- command: the command that reproduces it;
- tables: [{"title", "columns": [[key, label], ...], "rows": [{key: value}]}], figures first;
- targets: [target(...)], each a goal with the measured value and whether it was met;
- databases: [{"label", "vendor", "version"}] the run used;
- notes: [str] for the reader of docs/benchmarks.md; details: anything, kept in the JSON only.

Timing assertions never go into tests: a benchmark reports, the reader judges.
"""

from __future__ import annotations

import operator
import os
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO_ROOT / "bench" / "results"
DOCS_FILE = REPO_ROOT / "docs" / "benchmarks.md"
# The PYTHONPATH of the processes a benchmark starts: this checkout's code first, whatever
# copy of the package the virtualenv points at.
CHILD_PYTHONPATH = os.pathsep.join([str(REPO_ROOT / "src"), str(REPO_ROOT)])

# Modules of this package that support the benchmarks rather than being one.
SUPPORT_MODULES = {"common", "load", "people", "population", "settings", "urls", "smtp_sink"}

_COMPARISONS = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
}


def target(
    *, subject: str, name: str, measured: float | None, op: str, limit: float, unit: str = ""
) -> dict[str, Any]:
    """A goal such as "p95 < 100 ms" for `subject` (a database, a page), met or not.

    A figure that could not be measured (None) misses its target.
    """
    return {
        "subject": subject,
        "name": name,
        "measured": measured,
        "op": op,
        "limit": limit,
        "unit": unit,
        "passed": measured is not None and bool(_COMPARISONS[op](measured, limit)),
    }
