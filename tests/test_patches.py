"""Every reach into another library's internals (planlib._patches): still fits the installed
library, written for the installed version, and can be turned off."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import planlib.fonts
from planlib import _patches
from planlib._patches import REGISTRY, Patch, version_key


@pytest.fixture(params=sorted(REGISTRY), ids=str)
def each_patch(request: pytest.FixtureRequest) -> Patch:
    return REGISTRY[request.param]


def test_the_installed_library_is_a_version_the_patch_was_written_for(each_patch: Patch) -> None:
    version = each_patch.installed_version()
    assert version is not None, f"{each_patch.library} is not installed"
    low, high = each_patch.written_for
    assert each_patch.in_range(), (
        f"patch {each_patch.name!r} was written for {each_patch.library} {low} up to {high}, "
        f"installed is {version}: re-read its internals, then widen the range"
    )


def test_the_internals_the_patch_relies_on_are_still_there(each_patch: Patch) -> None:
    each_patch.check()  # raises PatchOutdated when the library moved underneath


def test_every_patch_says_why(each_patch: Patch) -> None:
    assert len(each_patch.why) > 40


def test_versions_compare_as_numbers() -> None:
    assert version_key("3.11.2") > version_key("3.9")
    assert version_key("4.0rc1") == (4, 0)
    assert version_key("70.0.dev0") == (70, 0)


def test_a_patch_named_in_the_environment_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    name = sorted(REGISTRY)[0]
    monkeypatch.delenv(_patches.ENV_OFF, raising=False)
    assert _patches.enabled(name)
    monkeypatch.setenv(_patches.ENV_OFF, f" other , {name} ")
    assert not _patches.enabled(name)
    monkeypatch.setenv(_patches.ENV_OFF, "all")
    assert not _patches.enabled(name)
    with pytest.raises(KeyError):
        _patches.enabled("no-such-patch")


def test_a_patch_turned_off_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    @_patches.patch(
        "test-only-patch",
        library="python",
        written_for=("3", "4"),
        why="a patch registered by this test only, to see the switch work",
        check=lambda: None,
    )
    def apply() -> int:
        calls.append(1)
        return 1

    try:
        monkeypatch.setenv(_patches.ENV_OFF, "test-only-patch")
        assert apply() is None and calls == []
        monkeypatch.delenv(_patches.ENV_OFF)
        assert apply() == 1 and calls == [1]
        with pytest.raises(ValueError, match="twice"):
            _patches.patch(
                "test-only-patch", library="x", written_for=("1", "2"), why="", check=print
            )
    finally:
        del REGISTRY["test-only-patch"]


def _fresh_python(code: str, **env: str) -> str:
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=True,
    )
    return run.stdout.strip()


_FAMILY_AFTER_IMPORT = """
    import sys
    import planlib
    assert "matplotlib" not in sys.modules, "import planlib must not import matplotlib"
    import matplotlib
    print(matplotlib.rcParams["font.family"][-1])
"""


@pytest.mark.slow
def test_the_import_hook_adds_the_chinese_font_when_matplotlib_loads() -> None:
    assert _fresh_python(_FAMILY_AFTER_IMPORT, PLANLIB_NO_PATCHES="") == planlib.fonts.FONT_FAMILY


@pytest.mark.slow
def test_turned_off_the_import_hook_leaves_matplotlib_alone() -> None:
    out = _fresh_python(_FAMILY_AFTER_IMPORT, PLANLIB_NO_PATCHES="matplotlib-import-hook")
    assert out != planlib.fonts.FONT_FAMILY


# --- H6's entries: WeasyPrint's PNG step, the kernel's warning reset, the warm papermill engine


def test_turned_off_the_warm_engine_reports_run_on_fresh_kernels(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from planlib.reporting import jobs, kernels

    monkeypatch.setenv(_patches.ENV_OFF, "papermill-warm-engine")
    assert kernels.kernel_render("warm") is jobs.render_job
    monkeypatch.delenv(_patches.ENV_OFF)
    assert kernels.kernel_render("warm") is kernels.render_warm


def test_the_warning_reset_line_empties_the_shown_once_registry() -> None:
    code = f"""
        import warnings
        def warn():
            warnings.warn("一次", UserWarning)
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("default")
            warn(); warn()
            {_patches.warnings_reset_code("warnings").strip()}
            warn()
        print(len(seen))
    """
    assert _fresh_python(code, PLANLIB_NO_PATCHES="") == "2"  # once, then once again after


def test_the_warning_reset_is_skipped_where_python_lacks_it() -> None:
    code = f"""
        import warnings
        del warnings._filters_mutated
        {_patches.warnings_reset_code("warnings").strip()}
        print("ok")
    """
    assert _fresh_python(code) == "ok"


@pytest.mark.slow
def test_turned_off_the_png_passthrough_gives_the_same_pdf_pixels() -> None:
    """The patch only skips WeasyPrint's re-encoding: the PDF's image bytes decode the same."""
    code = """
        import base64, io, sys
        import numpy as np
        from PIL import Image
        from planlib.reporting.render import html_pdf
        from weasyprint.images import RasterImage
        a = (np.arange(60 * 40 * 3) % 251).astype("uint8").reshape(40, 60, 3)
        buf = io.BytesIO(); Image.fromarray(a).save(buf, format="PNG")
        src = base64.b64encode(buf.getvalue()).decode()
        pdf = html_pdf(f'<img src="data:image/png;base64,{src}">')
        import pypdf
        page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
        image = next(iter(page.images)).image.convert("RGB")
        patched = getattr(RasterImage._get_png_data, "planlib", False)
        print(patched, int(np.abs(np.asarray(image, dtype=int) - a).max()))
    """
    assert _fresh_python(code, PLANLIB_NO_PATCHES="") == "True 0"
    assert _fresh_python(code, PLANLIB_NO_PATCHES="weasyprint-png-passthrough") == "False 0"
