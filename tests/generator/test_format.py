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


# A required argument whose `Enum | Literal[...]` annotation is too long for its line: black
# parenthesizes it, ruff (0.17) splits it before the `|` (15 modules of GitHub's spec).
LONG_ANNOTATION = (
    "def f(\n"
    "    *,\n"
    '    other: InteractionGroup | Literal["existing_users", "contributors_only",'
    ' "collaborators_only", "x"],\n'
    "    short: Group | Literal['a'],\n"
    ") -> None:\n"
    "    pass\n"
)


def test_a_long_annotation_without_default_gets_blacks_layout() -> None:
    by_ruff = format_files({"m.py": LONG_ANNOTATION}, formatter="ruff")["m.py"]
    assert by_ruff == format_files({"m.py": LONG_ANNOTATION}, formatter="black")["m.py"]
    assert "    other: (\n" in by_ruff


def test_long_annotations_in_methods_get_blacks_layout_and_the_rest_stays_rufs() -> None:
    literal = 'Literal["existing_users", "contributors_only", "collaborators_only", "another"]'
    source = (
        "class Resource:\n"
        f"    def sync(self, *, limit: InteractionGroup | {literal}, n: int) -> None:\n"
        '        """Docstring."""\n'
        "        return None\n\n"
        f"    async def run(self, *, limit: InteractionGroup | {literal}) -> Page[Item]:\n"
        "        pass\n\n"
        "    def untouched(self, a: int, b: int) -> None:\n"
        "        x = {'a': a,\n 'b': b}\n"
    )
    by_ruff = format_files({"m.py": source}, formatter="ruff")["m.py"]
    assert by_ruff == format_files({"m.py": source}, formatter="black")["m.py"]
    assert by_ruff.count("        limit: (\n") == 2


def test_a_split_outside_a_signature_is_left_alone() -> None:
    """What the detection matches outside a `def` (here a hand-made line) is not touched."""
    text = "x = 1\n    name: Foo\n    | Bar\n"
    assert format_module._black_parameters(text, 100) == text


def test_a_signature_with_a_long_return_annotation_is_relaid_too() -> None:
    returns = " | ".join(f"Rule{n}" for n in range(1, 16))
    source = (
        "class Resource:\n"
        "    def list(self, *, group: InteractionGroup | "
        'Literal["existing_users", "contributors_only", "collaborators_only", "another"],'
        f" options: Options | None = None) -> {returns}:\n"
        "        pass\n"
    )
    by_ruff = format_files({"m.py": source}, formatter="ruff")["m.py"]
    assert by_ruff == format_files({"m.py": source}, formatter="black")["m.py"]
    assert "    ) -> (\n" in by_ruff


def test_a_parameter_many_methods_share_is_laid_out_by_black_once() -> None:
    literal = 'Literal["existing_users", "contributors_only", "collaborators_only", "another"]'
    methods = "".join(
        f"    def m{n}(self, *, limit: InteractionGroup | {literal}, n: int = {n}) -> None:\n"
        "        pass\n\n"
        for n in range(5)
    )
    source = f"class Resource:\n{methods}"
    layouts = format_module.SignatureLayouts()
    by_ruff = format_files({"m.py": source}, formatter="ruff", layouts=layouts)["m.py"]
    assert by_ruff == format_files({"m.py": source}, formatter="black")["m.py"]
    assert by_ruff.count("        limit: (\n") == 5
    assert len(layouts.known) == 1


def test_a_relayout_that_would_change_the_code_is_not_taken() -> None:
    """Only line breaks and parentheses may change; ruff's layout stays otherwise."""
    text = (
        'def f(\n    *,\n    other: InteractionGroup\n    | Literal["a"],\n) -> None:\n    pass\n'
    )
    relaid = format_module._black_parameters(text, 100)
    assert '    other: InteractionGroup | Literal["a"],\n' in relaid

    def renaming(snippet: str, line_length: int) -> str:
        return snippet.replace("InteractionGroup", "OtherGroup")

    assert format_module._black_parameters(text, 100, renaming) == text
