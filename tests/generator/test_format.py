"""The format stage: black's style from either engine, and a one-line error when it cannot run."""

from __future__ import annotations

import pytest

from generator.emit import format as format_module
from generator.emit.format import FORMATTERS, Formatter, format_files
from generator.errors import SpecError

SOURCE = "def f(a,b):\n  return {'a':a,'b':b}\n"
BLACK_STYLE = 'def f(a, b):\n    return {"a": a, "b": b}\n'


@pytest.mark.parametrize("formatter", FORMATTERS)
def test_both_engines_give_black_style_and_leave_other_files_alone(formatter: Formatter) -> None:
    files = {"pkg/m.py": SOURCE, "README.md": SOURCE}
    assert format_files(files, formatter=formatter) == {
        "pkg/m.py": BLACK_STYLE,
        "README.md": SOURCE,
    }


def test_a_missing_ruff_binary_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> str:
        raise FileNotFoundError("ruff")

    monkeypatch.setattr(format_module, "find_ruff_bin", missing)
    with pytest.raises(SpecError, match="the ruff binary is missing: reinstall ruff"):
        format_files({"m.py": SOURCE})
