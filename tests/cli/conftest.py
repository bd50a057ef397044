"""The sample city the command tests run on, and a way to run ``planlib`` as a user does."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_run import planlib_cli as run_planlib

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def sample(three_county_sample: Path) -> Path:
    """The session's 3-county sample city (tests/conftest.py)."""
    return three_county_sample


@pytest.fixture(scope="session")
def planlib_cli() -> Run:
    """Runs ``python -m planlib ARGS`` in a real process: exit code, stdout, stderr."""
    return run_planlib
