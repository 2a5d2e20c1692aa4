"""Writing the tree over a previous run's output: unchanged files are hard-linked, never
anything a symlink points at, and the result is the same as a fresh write."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.emit import write
from generator.emit.manifest import MANIFEST
from generator.emit.write import write_tree
from generator.errors import SpecError

FILES = {
    MANIFEST: "# manifest\n",
    "pkg/__init__.py": "",
    "pkg/a.py": "A = 1\n",
    "pkg/b.py": "B = 1\n",
    "pkg/gone.py": "GONE = 1\n",
}
CHANGED = {name: text for name, text in FILES.items() if name != "pkg/gone.py"} | {
    "pkg/b.py": "B = 2\n",
    "pkg/new.py": "NEW = 1\n",
}


def _tree(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in root.rglob("*")
        if path.is_file()
    }


def test_a_regenerate_links_unchanged_files_and_writes_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, FILES)
    before = {name: (out / name).stat().st_ino for name in ("pkg/a.py", "pkg/b.py")}
    write_tree(out, CHANGED)
    assert _tree(out) == CHANGED
    assert (out / "pkg/a.py").stat().st_ino == before["pkg/a.py"]  # the same file, linked
    assert (out / "pkg/b.py").stat().st_ino != before["pkg/b.py"]
    assert (out / "pkg/a.py").stat().st_nlink == 1  # the old tree is gone


def test_a_symlink_in_the_old_output_is_not_followed(tmp_path: Path) -> None:
    out, outside = tmp_path / "out", tmp_path / "outside.py"
    write_tree(out, FILES)
    outside.write_text(FILES["pkg/a.py"], encoding="utf-8")
    (out / "pkg/a.py").unlink()
    (out / "pkg/a.py").symlink_to(outside)
    write_tree(out, FILES)
    assert not (out / "pkg/a.py").is_symlink()
    assert (out / "pkg/a.py").stat().st_ino != outside.stat().st_ino
    assert _tree(out) == FILES


def test_a_symlinked_folder_in_the_old_output_is_not_followed(tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    write_tree(out, FILES)
    (out / "pkg").rename(elsewhere)
    (out / "pkg").symlink_to(elsewhere, target_is_directory=True)
    write_tree(out, FILES)
    assert not (out / "pkg").is_symlink()
    assert (out / "pkg/a.py").stat().st_ino != (elsewhere / "a.py").stat().st_ino
    assert _tree(out) == FILES


def test_without_hard_links_every_file_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(1, "Operation not permitted")

    out = tmp_path / "out"
    write_tree(out, FILES)
    monkeypatch.setattr(write.os, "link", refuse)
    write_tree(out, CHANGED)
    assert _tree(out) == CHANGED


def test_linking_never_changes_what_a_fresh_write_gives(tmp_path: Path) -> None:
    write_tree(tmp_path / "regenerated", FILES)
    write_tree(tmp_path / "regenerated", CHANGED)
    write_tree(tmp_path / "fresh", CHANGED)
    assert _tree(tmp_path / "regenerated") == _tree(tmp_path / "fresh")
    assert sorted(os.listdir(tmp_path)) == ["fresh", "regenerated"]  # no staging left behind


@pytest.mark.parametrize(
    "name", ["../escape.py", "/tmp/absolute.py", "pkg/../../escape.py", "", ".", "./", "pkg\\a.py"]
)
def test_a_name_that_could_leave_the_output_folder_is_refused(tmp_path: Path, name: str) -> None:
    out = tmp_path / "deep" / "out"
    with pytest.raises(SpecError, match="refusing to write outside the output folder"):
        write_tree(out, {**FILES, name: "X = 1\n"})
    assert list(tmp_path.rglob("*")) == []  # not even the staging folder


@pytest.mark.parametrize("name", ["pkg//a.py", "./pkg/a.py", "pkg/./a.py"])
def test_a_name_with_empty_or_dot_parts_lands_inside(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out"
    write_tree(out, {MANIFEST: "# manifest\n", name: "A = 1\n"})
    assert (out / "pkg/a.py").read_text(encoding="utf-8") == "A = 1\n"
