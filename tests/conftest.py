"""Shared fixtures for the core test suite.

The core's tests run without the bundled federation plugins: they use the test network in
``tests/fixtures/network`` (a grid file, its data and its framing). Tests that check how the core
serves a federation plugin's grid, the example data of ``examples/`` or the demo are marked
``@pytest.mark.federation("wallonie", ...)`` and are skipped, saying why, when one of those plugins
is not installed or is switched off (``VISES_DISABLE_PLUGINS=wallonie,vlaanderen,hdf pytest``).
"""

from __future__ import annotations

import os
from importlib.metadata import entry_points
from pathlib import Path

import attrs
import pytest

ROOT = Path(__file__).resolve().parents[1]

# The suite asks pint every time (as with a cold cache) and writes nothing to the user's cache
# directory; tests/test_unit_answers.py turns the cache on in a temporary directory.
os.environ["VISES_CACHE_DIR"] = "off"
FEDERATION_PLUGINS = ("wallonie", "vlaanderen", "hdf")


def _shared() -> Path | None:
    for candidate in (ROOT.parent / "shared", Path("/work/shared")):
        if candidate.is_dir():
            return candidate
    return None


def _available_plugins() -> frozenset[str]:
    installed = {point.name for point in entry_points(group="vises")}
    switched_off = {part.strip() for part in os.environ.get("VISES_DISABLE_PLUGINS", "").split(",")}
    return frozenset(installed - switched_off)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "federation(*plugins): needs these bundled federation plugins (default: all three); "
        "skipped when one is not installed or is in VISES_DISABLE_PLUGINS",
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    available = _available_plugins()
    for mark in item.iter_markers("federation"):
        missing = [name for name in (mark.args or FEDERATION_PLUGINS) if name not in available]
        if missing:
            pytest.skip(
                f"needs the bundled federation plugin(s) {', '.join(missing)}: not installed or switched off "
                "by VISES_DISABLE_PLUGINS (the core's own behaviour is tested on tests/fixtures/network)"
            )


@attrs.frozen
class Network:
    """The test network: a grid file, 8 synthetic centres over 2023-2025, and their framing."""

    grid: Path
    data: Path
    evaluations: Path
    organisations: tuple[str, ...] = tuple(f"centre_{i:02d}" for i in range(1, 9))
    periods: tuple[str, ...] = ("2023", "2024", "2025")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return ROOT / "examples"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    found = _shared()
    if found is None:
        pytest.skip("../shared (the project's shared datasets) is not next to this checkout")
    return found


@pytest.fixture(scope="session")
def asem_dir(shared_dir: Path) -> Path:
    asem = shared_dir / "datasets" / "asem"
    if not (asem / "iData.csv").is_file():
        pytest.skip("COINr's ASEM example (../shared/datasets/asem/iData.csv) is absent")
    return asem


@pytest.fixture(scope="session")
def network() -> Network:
    here = ROOT / "tests" / "fixtures" / "network"
    return Network(grid=here / "grid.toml", data=here / "network.csv", evaluations=here / "network.evaluations.toml")


@pytest.fixture(scope="session")
def federation() -> object:
    """``federation("wallonie")`` inside a fixture skips its tests as the ``federation`` mark does."""

    def need(*plugins: str) -> None:
        missing = [name for name in (plugins or FEDERATION_PLUGINS) if name not in _available_plugins()]
        if missing:
            pytest.skip(
                f"needs the bundled federation plugin(s) {', '.join(missing)}: not installed or switched off "
                "by VISES_DISABLE_PLUGINS"
            )

    return need
