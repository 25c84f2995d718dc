"""The runner: each script in its own process, its figures collected, a failure made a row."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
import run_all
from run_all import BENCHMARKS, Benchmark, render, run_one, select

FIGURE = {
    "benchmark": "fake",
    "what": "fake request",
    "figure": "p95",
    "value": 42.0,
    "unit": "ms",
    "bar": "< 50 ms",
    "holds": True,
}


def fake_script(tmp_path: Path, name: str, body: str) -> Benchmark:
    """A benchmark script in tmp_path; ``results_path`` is its --results argument."""
    script = tmp_path / f"{name}.py"
    script.write_text(
        "import json, sys\n"
        "results_path = sys.argv[sys.argv.index('--results') + 1]\n" + textwrap.dedent(body)
    )
    return Benchmark(name, str(script), ("--size", "10"), quick=("--size", "1"))


def writes(figure: dict[str, object]) -> str:
    return f"open(results_path, 'a').write(json.dumps({figure!r}) + '\\n')\n"


def test_a_script_that_exits_non_zero_is_a_failed_row_with_its_last_error_line(
    tmp_path: Path,
) -> None:
    failing = fake_script(
        tmp_path, "failing", "print('working', file=sys.stderr)\nsys.exit('check failed: boom')\n"
    )

    run = run_one(failing)
    report = render([run], heading="# results")

    assert not run.ok
    assert run.outcome == "failed (exit 1)"
    assert "| failing | failed (exit 1): check failed: boom | - | failed |" in report


def test_a_crash_keeps_the_figures_written_before_it(tmp_path: Path) -> None:
    crashing = fake_script(tmp_path, "crashing", writes(FIGURE) + "raise RuntimeError('late')\n")

    run = run_one(crashing)
    rows = render([run], heading="# results").splitlines()

    assert run.exit_code == 1
    assert "| fake request | p95: 42.0 ms | < 50 ms | holds |" in rows
    assert "| crashing | failed (exit 1): RuntimeError: late | - | failed |" in rows


def test_a_script_killed_by_a_signal_says_so(tmp_path: Path) -> None:
    killed = fake_script(tmp_path, "killed", "import os, signal\nos.kill(os.getpid(), 9)\n")

    run = run_one(killed)

    assert run.outcome == "failed (killed by signal 9)"


def test_a_script_that_writes_no_figures_failed(tmp_path: Path) -> None:
    silent = fake_script(tmp_path, "silent", "print('all good')\n")

    run = run_one(silent)

    assert run.exit_code == 0 and not run.ok
    assert "| silent | failed (exit 0, no figures written) | - | failed |" in render(
        [run], heading="# results"
    )


def test_figures_that_are_not_results_are_a_failed_row(tmp_path: Path) -> None:
    garbled = fake_script(tmp_path, "garbled", writes({"benchmark": "fake", "value": 1}))

    run = run_one(garbled)

    report = render([run], heading="# results")

    assert not run.ok
    row = r"^\| garbled \| failed \(exit 0\): unreadable results: .+ \| - \| failed \|$"
    assert re.search(row, report, re.MULTILINE)


def test_a_script_gets_its_arguments_and_quick_ones_in_their_place(tmp_path: Path) -> None:
    echo = fake_script(
        tmp_path,
        "echo",
        writes({**FIGURE, "bar": None, "holds": None})
        + "print(json.dumps(sys.argv[1:]), file=open(sys.argv[0] + '.argv', 'w'))\n",
    )
    argv_file = Path(echo.script + ".argv")

    usual = run_one(echo)
    usual_argv = json.loads(argv_file.read_text())
    quick = run_one(echo, quick=True)
    quick_argv = json.loads(argv_file.read_text())

    assert usual.ok and quick.ok
    assert usual_argv[:2] == ["--size", "10"] and usual_argv[2] == "--results"
    assert quick_argv[:2] == ["--size", "1"] and quick_argv[2] == "--results"
    assert quick.results[0].verdict == "reported"


def test_the_runner_goes_on_after_a_failure_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = fake_script(tmp_path, "first", "sys.exit(3)\n")
    second = fake_script(tmp_path, "second", writes(FIGURE))
    monkeypatch.setattr(run_all, "BENCHMARKS", (first, second))
    output = tmp_path / "latest.md"

    exit_code = run_all.main(["--output", str(output)])

    written = output.read_text()
    assert exit_code == 1
    assert "| first | failed (exit 3) | - | failed |" in written
    assert "| fake request | p95: 42.0 ms | < 50 ms | holds |" in written
    assert "| second |" in written and "| ran |" in written


def test_the_runner_exits_0_when_every_script_wrote_its_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    only = fake_script(tmp_path, "only", writes({**FIGURE, "holds": False}))
    monkeypatch.setattr(run_all, "BENCHMARKS", (only,))

    exit_code = run_all.main(["--output", str(tmp_path / "latest.md")])

    assert exit_code == 0  # a bar not met is reported, not an error
    assert "| not met |" in (tmp_path / "latest.md").read_text()


def test_side_by_side_figures_get_their_own_table(tmp_path: Path) -> None:
    compared = fake_script(
        tmp_path,
        "compared",
        writes({**FIGURE, "what": "keys import", "baseline": 84.0})
        + writes({**FIGURE, "what": "every function", "unit": "x", "value": 0.5}),
    )

    report = render([run_one(compared)], heading="# results")
    bars, side_by_side = report.split("## Cold start")

    assert "keys import" not in bars and "every function" in bars
    assert "| keys import | p95: 42.0 ms | 84.0 ms | 0.50 | < 50 ms | holds |" in side_by_side


def test_only_selects_by_name_or_by_script() -> None:
    assert [b.name for b in select(BENCHMARKS, ["cold_start"])] == ["cold_start"]
    assert [b.name for b in select(BENCHMARKS, ["runtime_load"])] == [
        "runtime_load_status",
        "runtime_load_accounts",
        "runtime_load_signals",
    ]
    with pytest.raises(ValueError, match="no_such_bench"):
        select(BENCHMARKS, ["no_such_bench"])


def test_every_listed_script_exists_and_takes_the_results_option() -> None:
    for benchmark in BENCHMARKS:
        source = benchmark.path.read_text()
        assert "add_results_option(parser)" in source, benchmark.script
        assert "record(" in source, benchmark.script
