"""Fixtures of the returns tests: every test gets its own cache folder for parsed returns."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def cache_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty ``PLANLIB_CACHE_DIR`` (never the user's cache, never shared between tests)."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("PLANLIB_CACHE_DIR", str(folder))
    return folder
