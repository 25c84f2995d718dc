"""The scenario catalog: every ``*.json`` file of the package's ``catalog/`` directory.

Files are read through :mod:`importlib.resources` so the catalog is found wherever the layer
is unpacked (``/opt/python`` in Lambda, the source tree in an editable install).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from sandbox_common.errors import NotFound
from sandbox_common.scenarios.models import Scenario

_PACKAGE = "sandbox_common.scenarios"
_DIRECTORY = "catalog"


class CatalogError(Exception):
    """A catalog file is unreadable or invalid: a packaging bug, never the caller's fault."""


def load_catalog(directory: Traversable | Path | None = None) -> dict[str, Scenario]:
    """Every scenario of ``directory`` (default: the packaged catalog, read once) by id.

    Raises :class:`CatalogError` naming the file at fault if any file is invalid, if a file's
    name is not ``<id>.json``, or if the directory holds no scenario at all.
    """
    if directory is None:
        # A copy, so a caller editing its dict cannot change what the next request sees.
        return dict(_packaged_catalog())
    return _read(directory)


def list_scenarios() -> list[Scenario]:
    """The packaged scenarios, sorted by id."""
    catalog = load_catalog()
    return [catalog[scenario_id] for scenario_id in sorted(catalog)]


def get_scenario(scenario_id: str) -> Scenario:
    """The packaged scenario ``scenario_id``; :class:`NotFound` if there is none."""
    scenario = load_catalog().get(scenario_id)
    if scenario is None:
        raise NotFound(f"Scenario {scenario_id} not found")
    return scenario


@cache
def _packaged_catalog() -> dict[str, Scenario]:
    return _read(resources.files(_PACKAGE) / _DIRECTORY)


def _read(directory: Traversable | Path) -> dict[str, Scenario]:
    files = sorted(
        (
            entry
            for entry in directory.iterdir()
            if entry.name.endswith(".json") and entry.is_file()
        ),
        key=lambda entry: entry.name,
    )
    if not files:
        # An empty catalog is what a wheel built without its package data looks like.
        raise CatalogError(f"no scenario file (*.json) in {directory}")
    catalog: dict[str, Scenario] = {}
    for entry in files:
        try:
            scenario = Scenario.model_validate_json(entry.read_text(encoding="utf-8"))
        except ValueError as exc:  # pydantic's ValidationError and UnicodeDecodeError
            raise CatalogError(f"scenario file {entry.name}: {exc}") from exc
        # The file name is the id, so two files can never claim the same scenario.
        if entry.name != f"{scenario.id}.json":
            raise CatalogError(
                f"scenario file {entry.name}: id {scenario.id!r} must match the file name"
            )
        catalog[scenario.id] = scenario
    return catalog
