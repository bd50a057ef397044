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
