"""Finding the workspace in force: --workspace (use_workspace), PLANLIB_WORKSPACE, the cwd upwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from planlib.errors import WorkspaceError
from planlib.workspace import (
    CONFIG_NAME,
    ENV_VAR,
    active_workspace,
    catalog_file,
    find_workspace,
    library_dir,
    open_workspace,
    plan_file,
    use_workspace,
    workspace_of,
)

CONFIG = '[plan]\ntitle = "县教育局2025年工作要点"\nyear = 2025\nissuer = "县教育局"\n'


def make(folder: Path, text: str = CONFIG) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CONFIG_NAME).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(autouse=True)
def _no_outside_workspace(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)


def test_found_from_a_subfolder_like_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws_dir = make(tmp_path / "ws")
    (ws_dir / "returns" / "2025Q1").mkdir(parents=True)
    monkeypatch.chdir(ws_dir / "returns" / "2025Q1")
    ws = active_workspace()
    assert ws is not None and ws.root == ws_dir.resolve()
    assert ws.year == 2025 and ws.issuer == "县教育局"
    assert ws.plan_path == ws_dir.resolve() / "plan.yaml"
    assert catalog_file("indicators") == ws_dir.resolve() / "indicators.yaml"
    assert plan_file() == ws_dir.resolve() / "plan.yaml"


def test_without_a_workspace_the_library_is_read(tmp_path: Path) -> None:
    assert find_workspace(tmp_path) is None
    assert active_workspace() is None
    assert catalog_file("indicators") == library_dir() / "indicators.yaml"
    assert catalog_file("dictionary") == library_dir() / "dictionary.yaml"
    assert plan_file().name == "2022.yaml"


def test_explicit_beats_environment_beats_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here, env, named = make(tmp_path / "here"), make(tmp_path / "env"), make(tmp_path / "named")
    monkeypatch.chdir(here)
    assert active_workspace().root == here.resolve()  # type: ignore[union-attr]
    monkeypatch.setenv(ENV_VAR, str(env))
    assert active_workspace().root == env.resolve()  # type: ignore[union-attr]
    with use_workspace(named) as ws:
        assert ws is not None and active_workspace() == ws
        assert ws.root == named.resolve()
    assert active_workspace().root == env.resolve()  # type: ignore[union-attr]


def test_files_named_in_the_config_are_resolved_against_it(tmp_path: Path) -> None:
    text = CONFIG.replace('issuer = "县教育局"', 'file = "计划/2025.yaml"')
    text += '[files]\nindicators = "catalog/指标.yaml"\n[settings]\npopulation_basis = "户籍"\n'
    ws = open_workspace(make(tmp_path / "ws", text))
    assert ws.plan_path == (tmp_path / "ws" / "计划" / "2025.yaml").resolve()
    assert ws.indicators_path.name == "指标.yaml"
    assert ws.dictionary_path.name == "dictionary.yaml"  # the default where none is named
    assert dict(ws.settings) == {"population_basis": "户籍"}
    assert workspace_of(tmp_path / "ws") == ws
    assert workspace_of(tmp_path) is None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[plan\nyear = 2025", "不是有效的 TOML"),
        ('[plan]\ntitle = "x"\n', "year"),
        ('[plan]\nyear = "2025年"\n', "year"),
        ("[plan]\nyear = 2025\nfile = 3\n", "plan 文件"),
        ("[plan]\nyear = 2025\n[settings]\n", ""),
    ],
)
def test_a_bad_config_names_the_file_and_the_key(tmp_path: Path, text: str, words: str) -> None:
    folder = make(tmp_path / "ws", text)
    if not words:
        assert open_workspace(folder).year == 2025
        return
    with pytest.raises(WorkspaceError, match=words) as err:
        open_workspace(folder)
    assert CONFIG_NAME in str(err.value)


def test_a_folder_without_a_config_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="planlib init"):
        open_workspace(tmp_path)
