"""The figures' JSON-lines format and the tables rendered from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from results import (
    Result,
    bars_table,
    format_figure,
    format_number,
    read,
    record,
    side_by_side_table,
)


def make_result(**fields: object) -> Result:
    defaults: dict[str, object] = {
        "benchmark": "dashboard_latency",
        "what": "dashboard, time_period=365d",
        "figure": "p95 of 40",
        "value": 126.6,
        "unit": "ms",
        "bar": "< 300 ms",
        "holds": True,
    }
    return Result.model_validate({**defaults, **fields})


def test_recorded_results_read_back_equal_in_order(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    first = make_result()
    second = make_result(what="cold start: keys import", value=230.0, baseline=451.0)

    record(path, first)
    record(path, second)

    assert read(path) == [first, second]
    assert len(path.read_text().splitlines()) == 2


def test_each_line_is_a_json_object_with_the_documented_fields(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    record(path, make_result(bar=None, holds=None))

    line = path.read_text().strip()

    assert line.startswith("{") and '"holds":null' in line and '"bar":null' in line
    assert Result.model_validate_json(line).verdict == "reported"


def test_no_results_file_means_nothing_is_written(tmp_path: Path) -> None:
    record(None, make_result())

    assert list(tmp_path.iterdir()) == []


def test_reading_a_missing_file_gives_no_results(tmp_path: Path) -> None:
    assert read(tmp_path / "never-written.jsonl") == []


def test_a_line_that_is_not_a_result_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    path.write_text('{"benchmark": "x", "what": "y", "figure": "p95", "value": "fast"}\n')

    with pytest.raises(ValueError):
        read(path)


def test_a_misspelt_field_is_rejected() -> None:
    with pytest.raises(ValidationError):
        make_result(hold=True)


@pytest.mark.parametrize(
    ("holds", "verdict"), [(True, "holds"), (False, "not met"), (None, "reported")]
)
def test_verdict_says_whether_the_bar_holds(holds: bool | None, verdict: str) -> None:
    assert make_result(holds=holds).verdict == verdict


@pytest.mark.parametrize(
    ("value", "text"),
    [(23_456.7, "23,457"), (126.63, "127"), (12.345, "12.3"), (0.456, "0.46"), (-3.0, "-3.00")],
)
def test_numbers_keep_about_three_significant_figures(value: float, text: str) -> None:
    assert format_number(value) == text


def test_a_figure_reads_statistic_value_and_unit() -> None:
    assert format_figure(make_result()) == "p95 of 40: 127 ms"
    assert format_figure(make_result(figure="ratio", value=0.5, unit="")) == "ratio: 0.50"


def test_bars_table_has_one_row_per_figure_without_a_baseline() -> None:
    table = bars_table(
        [
            make_result(),
            make_result(what="listing | page 2", holds=False, value=120.0),
            make_result(what="cold start: keys import", baseline=451.0),
        ]
    )

    assert table.splitlines() == [
        "| what | figure | bar | holds |",
        "| --- | --- | --- | --- |",
        "| dashboard, time_period=365d | p95 of 40: 127 ms | < 300 ms | holds |",
        "| listing \\| page 2 | p95 of 40: 120 ms | < 300 ms | not met |",
    ]


def test_a_reported_figure_shows_no_bar() -> None:
    row = bars_table([make_result(bar=None, holds=None)]).splitlines()[-1]

    assert row.endswith("| - | reported |")


def test_side_by_side_table_shows_each_figure_against_its_baseline() -> None:
    table = side_by_side_table(
        [
            make_result(),
            make_result(
                what="keys import",
                figure="median",
                value=225.5,
                baseline=451.0,
                bar="<= 0.6 x baseline",
                holds=True,
            ),
            make_result(
                what="docs import",
                figure="median",
                value=300.0,
                baseline=451.0,
                bar="<= 0.6 x baseline",
                holds=False,
            ),
        ]
    )

    assert table.splitlines()[2:] == [
        "| keys import | median: 226 ms | 451 ms | 0.50 | <= 0.6 x baseline | holds |",
        "| docs import | median: 300 ms | 451 ms | 0.67 | <= 0.6 x baseline | not met |",
    ]
