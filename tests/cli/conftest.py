"""The sample city the command tests run on, and a way to run ``planlib`` as a user does."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import planlib

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small sample city: 3 counties, about 25 schools each, 2022Q1–Q4 (990104 late in Q3)."""
    out = tmp_path_factory.mktemp("cli-sample") / "city"
    planlib.make_sample(out, seed=11, counties=3, schools_per_county=25)
    return out


@pytest.fixture(scope="session")
def planlib_cli() -> Run:
    """Runs ``python -m planlib ARGS`` in a real process: exit code, stdout, stderr."""

    def run(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "planlib", *map(str, args)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run
