"""Shared fixtures: the repository root and the bundled plan."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import planlib

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seeds" / "000_83efd95e2470189b.txt"


@pytest.fixture(scope="session", autouse=True)
def _cache_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Parsed returns are cached under a session folder, never in the user's ~/.cache; kernels
    and subprocesses started by tests inherit it."""
    os.environ["PLANLIB_CACHE_DIR"] = str(tmp_path_factory.mktemp("planlib-cache"))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def plan() -> planlib.Plan:
    return planlib.load_plan()


@pytest.fixture(scope="session")
def three_county_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small sample city: 3 counties, about 25 schools each, 2022Q1–Q4 (990104 late in Q3),
    written once per session and only read by the tests that share it (CLI, runner, reports)."""
    out = tmp_path_factory.mktemp("sample3") / "city"
    planlib.make_sample(out, seed=11, counties=3, schools_per_county=25)
    return out


@pytest.fixture(scope="session")
def small_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small sample city (4 counties, ~40 schools each), written once per test session."""
    out = tmp_path_factory.mktemp("sample") / "city"
    planlib.make_sample(out, seed=7, counties=4, schools_per_county=40)
    return out


@pytest.fixture(scope="session")
def workspace_2022(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled 2022 plan's workspace (its 16 indicators and their elements, the sample
    city's registry, no returns), made by init as a bureau would make its own."""
    from planlib.init.create import init_workspace
    from planlib.resources import data_dir

    out = tmp_path_factory.mktemp("ws2022") / "ws"
    init_workspace(
        out, data_dir() / "plans" / "2022.yaml", allocations=data_dir() / "allocations" / "2022.csv"
    )
    return out


@pytest.fixture
def in_workspace_2022(workspace_2022: Path):  # type: ignore[no-untyped-def]
    """Within the test, the 2022 plan's workspace is in force (as when a command runs in it)."""
    with planlib.use_workspace(workspace_2022) as ws:
        yield ws
