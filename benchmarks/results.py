"""The figures a benchmark measured, as JSON lines, and the tables ``make bench`` prints.

Each benchmark script prints its own report and, with ``--results FILE``, appends one JSON
line per figure to FILE: what was measured, the figure, the bar it answers (as the script
states it) and whether it holds (``null`` when the figure is only reported).
``benchmarks/run_all.py`` runs every script with ``--results`` and renders these lines as
one table. A figure compared side by side with a baseline measured in the same run (each
function's cold start vs the baseline handler's) carries the baseline's value; those rows
form their own table, and the script adds a summary row with the bar to the main one.

Rendering is pure: no clock, no files; run_all.py supplies both.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

HOLDS, NOT_MET, REPORTED = "holds", "not met", "reported"


class Result(BaseModel):
    """One measured figure of one benchmark, and its bar."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    benchmark: str = Field(min_length=1)
    what: str = Field(min_length=1)
    figure: str = Field(min_length=1, description="which statistic: p95, median, best, ...")
    value: float
    unit: str = ""
    bar: str | None = None
    holds: bool | None = None
    baseline: float | None = Field(
        default=None, description="the baseline's value, same unit (side-by-side figures)"
    )

    @property
    def verdict(self) -> str:
        if self.holds is None:
            return REPORTED
        return HOLDS if self.holds else NOT_MET

    @property
    def ratio(self) -> float | None:
        """value / baseline, for side-by-side figures."""
        if self.baseline is None or self.baseline == 0:
            return None
        return self.value / self.baseline


def add_results_option(parser: argparse.ArgumentParser) -> None:
    """The ``--results FILE`` option every benchmark script takes."""
    parser.add_argument(
        "--results",
        type=Path,
        metavar="FILE",
        help="also append each figure to FILE as a JSON line (benchmarks/results.py)",
    )


def record(path: Path | None, *results: Result) -> None:
    """Append ``results`` to ``path`` as JSON lines; nothing when no file was asked for."""
    if path is None:
        return
    with path.open("a", encoding="utf-8") as file:
        for result in results:
            file.write(result.model_dump_json() + "\n")


def read(path: Path) -> list[Result]:
    """Every result in a JSON-lines file (a line that is not a Result raises ValueError)."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Result.model_validate_json(line) for line in lines if line.strip()]


def format_number(value: float) -> str:
    """Three significant figures or whole numbers with thousands separators."""
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def format_figure(result: Result) -> str:
    """``p95: 126.6 ms``: the statistic, the value and its unit."""
    amount = format_number(result.value) + (f" {result.unit}" if result.unit else "")
    return f"{result.figure}: {amount}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A GitHub-flavoured markdown table; pipes inside cells are escaped."""
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


BARS_HEADER = ("what", "figure", "bar", "holds")


def bar_row(result: Result) -> tuple[str, str, str, str]:
    """One row of the bars table: what | figure | bar | holds."""
    return (result.what, format_figure(result), result.bar or "-", result.verdict)


def bars_table(results: Iterable[Result]) -> str:
    """The bars table of every figure not compared with a baseline."""
    rows = [bar_row(result) for result in results if result.baseline is None]
    return markdown_table(BARS_HEADER, rows)


def side_by_side_table(results: Iterable[Result]) -> str:
    """what | figure | baseline | ratio | bar | holds for figures with a baseline."""
    rows = []
    for result in results:
        if result.baseline is None:
            continue
        ratio = result.ratio
        rows.append(
            (
                result.what,
                format_figure(result),
                format_number(result.baseline) + (f" {result.unit}" if result.unit else ""),
                "-" if ratio is None else f"{ratio:.2f}",
                result.bar or "-",
                result.verdict,
            )
        )
    return markdown_table(("what", "figure", "baseline", "ratio", "bar", "holds"), rows)
