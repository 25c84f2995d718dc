"""The README's tour, run as a reader runs it: every ``bash`` block of its *Tour* section, in
order, in one shell, against the local runtime, from a folder holding the runtime's
``.sandbox/local.json``.

The shell's ``curl`` is wrapped only to write each answer's status to stderr (the reader's
output is unchanged). The tour must finish, no answer may be a 5xx or a failed connection, and
every refusal (4xx) must be one the tour shows on purpose, listed below with the line that
explains it; a renamed route, a changed field or a stale example fails here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from local_runtime.runtime import LocalRuntime

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

# The refusals the tour shows on purpose: (status, method, path pattern) -> why.
EXPECTED_REFUSALS = {
    (403, "GET", r"/api/v1/sandbox/status"): "a rotated key is refused at once",
    (401, "GET", r"/api/v1/sandbox/status"): "no key",
    (409, "POST", r"/api/v1/sandbox/clock/reset"): "the clock is ahead of wall time",
}

_STATUS_LINE = re.compile(r"^TOUR-STATUS (\d{3}) (\S+) (\S+)$")
_BLOCK_LINE = re.compile(r"^TOUR-BLOCK (\d+)$", re.MULTILINE)

# Writes the status of every curl call to stderr; the reader's stdout stays as the tour shows.
_PREAMBLE = r"""
set -e
TOUR_STATUS='%{stderr}TOUR-STATUS %{http_code} %{method} %{url_effective}\n'
curl() { command curl --write-out "$TOUR_STATUS" "$@"; }
"""


def tour_blocks(readme: str) -> list[str]:
    """The ``bash`` code blocks of the README's *Tour* section, in order."""
    start = readme.index("\n## Tour\n")
    end = readme.find("\n## ", start + 1)
    section = readme[start : end if end != -1 else len(readme)]
    return re.findall(r"^```bash\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)


@pytest.fixture(scope="module")
def tour_folder(runtime: LocalRuntime, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder laid out like the repository after `make run`: `.sandbox/local.json`."""
    folder = tmp_path_factory.mktemp("tour")
    runtime.write_local_json(folder / ".sandbox" / "local.json")
    yield folder


@pytest.fixture(scope="module")
def tour_run(tour_folder: Path) -> subprocess.CompletedProcess[str]:
    blocks = tour_blocks(README.read_text(encoding="utf-8"))
    script = _PREAMBLE + "".join(
        f"\necho 'TOUR-BLOCK {number}' >&2\n{block}" for number, block in enumerate(blocks, 1)
    )
    return subprocess.run(
        ["bash", "-c", script],
        cwd=tour_folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _calls(stderr: str) -> list[tuple[int, int, str, str]]:
    """(block, status, method, path) of every curl call, in order."""
    calls: list[tuple[int, int, str, str]] = []
    block = 0
    for line in stderr.splitlines():
        if found := _BLOCK_LINE.match(line):
            block = int(found.group(1))
        elif found := _STATUS_LINE.match(line):
            status, method, url = found.groups()
            calls.append((block, int(status), method, urlsplit(url).path))
    return calls


def _is_expected(status: int, method: str, path: str) -> bool:
    return any(
        status == expected_status and method == expected_method and re.fullmatch(pattern, path)
        for expected_status, expected_method, pattern in EXPECTED_REFUSALS
    )


def test_the_tour_has_blocks_for_every_group() -> None:
    blocks = "\n".join(tour_blocks(README.read_text(encoding="utf-8")))

    for path in (
        "/api/v1/sandbox/keys",
        "/api/v1/sandbox/initialize",
        "/api/v1/sandbox/clock/advance",
        "/api/sandbox/signals",
        "/api/sandbox/schedule",
        "/update-sandbox-config",
        "/consume-credits",
        "/admin/execute-job",
    ):
        assert path in blocks


@pytest.mark.skipif(shutil.which("curl") is None, reason="the tour is curl commands")
def test_every_block_of_the_tour_runs_to_the_end(
    tour_run: subprocess.CompletedProcess[str],
) -> None:
    blocks = _BLOCK_LINE.findall(tour_run.stderr)
    assert tour_run.returncode == 0, (
        f"the tour stopped in block {blocks[-1] if blocks else '?'}:\n{tour_run.stderr[-3000:]}"
    )
    assert len(blocks) == len(tour_blocks(README.read_text(encoding="utf-8")))


@pytest.mark.skipif(shutil.which("curl") is None, reason="the tour is curl commands")
def test_no_answer_of_the_tour_is_a_server_error_or_a_failed_connection(
    tour_run: subprocess.CompletedProcess[str],
) -> None:
    calls = _calls(tour_run.stderr)

    assert len(calls) > 60
    failed = [call for call in calls if call[1] >= 500 or call[1] == 0]
    assert failed == []


@pytest.mark.skipif(shutil.which("curl") is None, reason="the tour is curl commands")
def test_every_refusal_in_the_tour_is_one_it_shows_on_purpose(
    tour_run: subprocess.CompletedProcess[str],
) -> None:
    refusals = [call for call in _calls(tour_run.stderr) if 400 <= call[1] < 500]

    unexpected = [call for call in refusals if not _is_expected(*call[1:])]
    assert unexpected == [], "block, status, method, path of refusals the tour does not explain"
    shown = {(status, method) for _, status, method, _ in refusals}
    assert shown == {(status, method) for status, method, _ in EXPECTED_REFUSALS}


@pytest.mark.skipif(shutil.which("curl") is None, reason="the tour is curl commands")
def test_the_tour_shows_what_its_comments_promise(
    tour_run: subprocess.CompletedProcess[str],
) -> None:
    out = tour_run.stdout

    assert '"status":"initialized"' in out
    assert '"status":"completed"' in out  # the transfer, processed
    assert '"status":"delivered"' in out  # inside the receiver's hours, on the frozen clock
    assert '"delivered":1' in out  # the 20:00 London message, by the clock's advance
    assert '"message":"Job executed successfully"' in out
    assert "'persistent': True" in out  # the lifecycle block after the job woke the sandbox
