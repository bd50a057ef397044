"""Where planlib's bundled definitions live: ``data/`` in a source checkout, ``_data`` in a wheel."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def data_dir() -> Path:
    """The folder holding the curated plan, dictionary, indicator definitions and allocations."""
    packaged = _HERE / "_data"
    if packaged.is_dir():
        return packaged
    return _HERE.parents[1] / "data"


def notebooks_dir() -> Path:
    """The folder holding the report notebook templates."""
    packaged = _HERE / "_notebooks"
    if packaged.is_dir():
        return packaged
    return _HERE.parents[1] / "notebooks"


def package_version() -> str:
    """planlib's installed version ("0.0.0" in a source tree that was never installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("planlib")
    except PackageNotFoundError:
        return "0.0.0"
