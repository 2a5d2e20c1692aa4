"""Format generated Python in black's style, and prove it compiles.

Templates write plain, readable code; a formatter lays it out. The default engine is
`ruff format` (pinned, black-compatible settings): one process formats the whole tree, tens of
megabytes in under a second. `--formatter black` runs black itself, in-process and on every
core: the reference whose style the tests hold ruff's output to (`black --check` is clean on
every generated file). The one layout where ruff differs from black (`_RUFF_SPLIT`) is redone
by black, parameter by parameter.
"""

from __future__ import annotations

import bisect
import itertools
import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ruff import find_ruff_bin

from generator.errors import SpecError

if TYPE_CHECKING:
    from black.mode import Mode

Formatter = Literal["ruff", "black"]
FORMATTERS: tuple[Formatter, ...] = ("ruff", "black")
TARGET_VERSION = "py311"
# The scratch copy lives in memory where the system offers it: thousands of small files.
_SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


def formatter_id(formatter: Formatter, line_length: int) -> str:
    """Names the engine, its version and mode (recorded in the output's manifest)."""
    return f"{formatter} {version(formatter)}, line length {line_length}, {TARGET_VERSION}"


def format_files(
    files: Mapping[str, str],
    *,
    formatter: Formatter = "ruff",
    line_length: int = 100,
    layouts: SignatureLayouts | None = None,
) -> dict[str, str]:
    """Every `.py` file of `files` formatted; other files as they are. A module that does not
    compile is refused (check_compiles), while ruff formats on the other cores. `layouts`:
    black's layouts of parameters worked out before (_black_parameters), and for the next run."""
    sources = {name: text for name, text in files.items() if name.endswith(".py")}
    if formatter == "ruff":
        formatted = _ruff_format(sources, line_length, layouts or SignatureLayouts())
    else:
        check_compiles(sources)
        formatted = _black_format(sources, line_length)
    return {name: formatted.get(name, text) for name, text in files.items()}


def check_compiles(files: Mapping[str, str]) -> None:
    """Every Python module must compile: a template bug must fail the run, not ship a package
    that does not import (one line naming the module and the line)."""
    for name, text in files.items():
        if not name.endswith(".py"):
            continue
        try:
            compile(text, name, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            line = getattr(exc, "lineno", None)
            reason = getattr(exc, "msg", None) or str(exc)
            where = f"{name}:{line}" if line else name
            raise SpecError(
                "<generated>",
                f"{where}: generated code does not compile ({reason}); this is a generator"
                " bug, please report it with the spec",
            ) from None


def format_python(source: str, line_length: int = 100, formatter: Formatter = "ruff") -> str:
    """One module's text formatted (used by tests and the review diff)."""
    return format_files({"module.py": source}, formatter=formatter, line_length=line_length)[
        "module.py"
    ]


def _ruff_format(
    sources: Mapping[str, str], line_length: int, layouts: SignatureLayouts
) -> dict[str, str]:
    """One `ruff format` over a scratch copy of the tree; `--isolated` ignores any user config."""
    if not sources:
        return {}
    with tempfile.TemporaryDirectory(prefix="posthog-codegen-format-", dir=_SCRATCH) as scratch:
        root = Path(scratch)
        for name, text in sources.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        try:
            ruff = find_ruff_bin()  # the binary itself: `python -m ruff` would start Python first
        except FileNotFoundError:
            raise SpecError("ruff format", "the ruff binary is missing: reinstall ruff") from None
        command = [
            ruff,
            "format",
            "--isolated",
            "--no-cache",
            "--quiet",
            f"--line-length={line_length}",
            f"--target-version={TARGET_VERSION}",
            ".",
        ]
        process = subprocess.Popen(
            command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        try:
            # Formatting keeps the syntax tree, so the unformatted text compiles exactly when
            # the formatted one does: check it here while ruff runs.
            check_compiles(sources)
        finally:
            output = process.communicate()[0]
        if process.returncode != 0:  # a template bug, not a user mistake
            first = output.strip().splitlines()[:1]
            raise SpecError("ruff format", f"cannot format the generated code: {first}")
        formatted = {name: (root / name).read_text(encoding="utf-8") for name in sources}
    disputed = {name: text for name, text in formatted.items() if _RUFF_SPLIT.search(text)}
    relaid = {
        name: _black_parameters(text, line_length, layouts.of(name))
        for name, text in disputed.items()
    }
    return formatted | relaid


# The one construct where ruff's output is not black's: a parameter annotation too long for its
# line and without a default. Black puts it in parentheses; ruff splits it before a `|`, which
# leaves a line starting with `| ` at the parameter's own indent (GitHub's spec: 15 modules of
# 3,506, all `Enum | Literal[...]` arguments). Black lays out those parameters again.
_RUFF_SPLIT = re.compile(r"^(\s+)[A-Za-z_]\w*: [^\n]*[^(\n]\n\1\| ", re.MULTILINE)


Layouts = dict[tuple[str, int], str]  # (snippet, line length) -> black's layout of it


class SignatureLayouts:
    """Black's layouts of the parameters ruff splits (_black_parameters): those worked out
    before, so that a run after an edit need not import black (a fifth of a second) for a
    module it formats again, and a parameter many methods share is laid out once; and per
    module, those this run used."""

    def __init__(self, before: Mapping[str, Layouts] | None = None) -> None:
        self.known: Layouts = {
            key: text for each in (before or {}).values() for key, text in each.items()
        }
        self.used: dict[str, Layouts] = {}

    def of(self, module: str) -> Callable[[str, int], str]:
        def layout(snippet: str, line_length: int) -> str:
            key = (snippet, line_length)
            if key not in self.known:
                import black

                self.known[key] = black.format_str(snippet, mode=_black_mode(line_length))
            self.used.setdefault(module, {})[key] = self.known[key]
            return self.known[key]

        return layout


def _black_parameters(
    text: str, line_length: int, layout: Callable[[str, int], str] | None = None
) -> str:
    """`text` with each parameter that `_RUFF_SPLIT` finds in black's layout.

    A signature that does not fit is split one parameter per line, and black lays out each of
    those lines on its own: the parameter is formatted alone, in a signature of its own
    (`def _(self, <parameter>,)`, the magic trailing comma keeping it split), dedented to four
    spaces with the line length reduced by the indent it loses. A millisecond or two each,
    where the whole signature took ten times that (AWS EC2's spec: 680 of them), and black on
    the module seconds. A match that is not a parameter of a `def` keeps ruff's layout.
    `layout`: formats one snippet (SignatureLayouts.of; black itself if None).
    """
    layout = layout or SignatureLayouts().of("")
    lines = text.splitlines(keepends=True)
    line_starts = list(itertools.accumulate((len(line) for line in lines), initial=0))
    found = (bisect.bisect_right(line_starts, m.start()) - 1 for m in _RUFF_SPLIT.finditer(text))
    spans = {_parameter(lines, index) for index in found}
    for start, end in sorted((span for span in spans if span), reverse=True):  # from the end
        indent = len(lines[start]) - len(lines[start].lstrip(" "))
        parameter = "".join(
            " " * 4 + line[indent:] if line.strip() else line for line in lines[start : end + 1]
        )
        relaid = layout(_HEAD + parameter + _TAIL, line_length - indent + 4)
        inner = relaid[len(_HEAD) : -len(_TAIL)]
        framed = relaid.startswith(_HEAD) and relaid.endswith(_TAIL)
        if not framed or _code(inner) != _code(parameter):
            continue  # not one parameter after all: ruff's layout stays
        lines[start : end + 1] = [
            " " * (indent - 4) + line if line.strip() else line
            for line in inner.splitlines(keepends=True)
        ]
    return "".join(lines)


_HEAD, _TAIL = "def _(\n    self,\n", ") -> None:\n    pass\n"


def _code(text: str) -> str:
    """`text` but for what a layout may change (black only moves lines and adds parentheses):
    a parameter relaid keeps its code, so the module still compiles, as ruff's did."""
    return _LAYOUT.sub("", text)


_LAYOUT = re.compile(r"[\s(),]+")


def _parameter(lines: list[str], index: int) -> tuple[int, int] | None:
    """(first, last) line of the parameter whose annotation ruff split at line `index`, or None
    if that line is not in a `def` signature: the parameter's other lines are `| ...` lines at
    its indent and deeper lines, the last one at its indent ends with a comma."""
    if _signature(lines, index) is None:
        return None
    indent = " " * (len(lines[index]) - len(lines[index].lstrip(" ")))
    for end in range(index + 1, len(lines)):
        line = lines[end]
        if line.startswith(indent + " "):
            continue  # inside a bracket the annotation opened
        if not line.startswith(indent) or not line[len(indent) :].startswith(("|", "]", ")")):
            return None
        if line.rstrip().endswith(","):
            return index, end
    return None


def _signature(lines: list[str], index: int) -> tuple[int, int] | None:
    """(first, last) line of the `def` signature that line `index` is in; None if it is in none:
    the lines between are indented deeper than the `def`, the last closes it with `):`."""
    start = index
    while start >= 0 and not lines[start].lstrip().startswith(("def ", "async def ")):
        start -= 1
    if start < 0:
        return None
    indent = len(lines[start]) - len(lines[start].lstrip(" "))
    for end in range(start + 1, len(lines)):
        line = lines[end]
        if line.startswith(" " * indent + ")"):  # `) -> R:`, or `) -> (` and more lines
            if line.rstrip().endswith(":"):
                return (start, end) if end > index else None
        elif not line.startswith(" " * (indent + 1)):
            return None  # left the signature (or never was in one)
    return None


def _black_format(sources: Mapping[str, str], line_length: int) -> dict[str, str]:
    items = sorted(((name, text, line_length) for name, text in sources.items()), key=_size)
    if len(items) >= 8 and (os.cpu_count() or 1) > 1:
        from concurrent.futures import ProcessPoolExecutor  # black only: ruff needs no pool

        with ProcessPoolExecutor() as pool:
            return dict(pool.map(_black_one, items, chunksize=1))
    return dict(map(_black_one, items))


def _size(item: tuple[str, str, int]) -> int:
    return -len(item[1])  # largest first: keeps every core busy to the end


def _black_one(item: tuple[str, str, int]) -> tuple[str, str]:
    import black
    from black.parsing import InvalidInput

    name, source, line_length = item
    try:
        return name, black.format_str(source, mode=_black_mode(line_length))
    except InvalidInput as exc:
        raise SpecError(name, f"generated code does not parse: {exc}") from None


def _black_mode(line_length: int) -> Mode:
    """black's settings for generated code (black is imported only when it is used)."""
    from black.mode import Mode, TargetVersion

    return Mode(target_versions={TargetVersion.PY311}, line_length=line_length)
