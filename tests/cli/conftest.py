"""The sample city the command tests run on, and a way to run ``planlib`` as a user does."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def sample(three_county_sample: Path) -> Path:
    """The session's 3-county sample city (tests/conftest.py)."""
    return three_county_sample


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
