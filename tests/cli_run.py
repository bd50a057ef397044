"""The ``planlib`` command run as a user runs it: a new interpreter, output captured as text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def planlib_cli(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planlib", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
