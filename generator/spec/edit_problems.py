"""A spec's problems after an edit of some path items, without checking it all again.

A whole check finds its problems walk by walk: the OpenAPI walk (generator.spec.openapi_check)
goes through the whole-document check, the tags, the component schemas and then each path
item; the example walk (generator.spec.examples) through groups of schemas and owners, each
in path order. Every problem carries its origin, (group, path). A check inside a path item
reads that path item and the components it refers to, and nothing else (component schemas
are met first, on their own, so their verdicts do not depend on the paths). After an edit
confined to some path items (generator.spec.edits) the problems of every other origin are
therefore the last run's, and only the edited path items are checked: their OpenAPI walk
with the component schemas counted as checked, and their examples.

The work splits in two: checkable_part and problems_after_edit are quick; edited_problems
imports and runs the validators, and the caller runs it in the background meanwhile. What
this cannot follow makes it give up (None; the caller checks everything): a problem of the
whole-document check, which can stop the rest of the walk, and a duplicated operationId,
which is reported where its second use is, wherever the first one was edited.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from generator.spec.load import LoadedSpec
from generator.spec.locate import pointer_tokens
from generator.spec.partial_validation import duplicate_operation_id, edited_paths_document
from generator.spec.text_edit import TextEdit, text_edit
from generator.spec.validate import (
    Problem,
    document_example_problems,
    locate_each,
    openapi_problems,
)

_DOCUMENT = 0  # generator.spec.openapi_check.DOCUMENT's group (not imported: it is slow to)
_DUPLICATE_ID = "DuplicateOperationIDError"


@dataclass(frozen=True)
class FoundProblems:
    """Every problem of a whole check, located, in the order it finds them (not yet one per
    node: generator.spec.validate.once_per_node)."""

    openapi: tuple[Problem, ...]
    examples: tuple[Problem, ...]

    @property
    def all(self) -> list[Problem]:
        return [*self.openapi, *self.examples]


def checkable_part(
    spec: LoadedSpec, before: FoundProblems, edited: frozenset[str]
) -> dict[str, Any] | None:
    """What the checks of the `edited` path items read (edited_paths_document); None if the
    last run's problems (`before`) and theirs cannot be told apart that way."""
    if any(p.origin[0] == _DOCUMENT or p.kind == _DUPLICATE_ID for p in before.openapi):
        return None
    if duplicate_operation_id(spec.data) is not None:
        return None
    return edited_paths_document(spec.data, edited)


def edited_problems(
    spec: LoadedSpec, part: dict[str, Any], edited: frozenset[str]
) -> FoundProblems | None:
    """The problems of the `edited` path items (not located yet), `part` their
    checkable_part; None if a check of the whole document failed after all. The slow part of
    the checks after an edit (it imports and runs the validators), which the caller may run
    in the background."""
    openapi = list(openapi_problems(part, schemas_known_valid=True))
    if any(problem.origin[0] == _DOCUMENT for problem in openapi):
        return None
    return FoundProblems(
        tuple(problem for problem in openapi if problem.origin[1] in edited),
        tuple(document_example_problems(spec.data, edited)),
    )


def problems_after_edit(
    spec: LoadedSpec,
    before: FoundProblems,
    text_before: bytes,
    edited: frozenset[str],
    fresh: FoundProblems,
) -> FoundProblems:
    """The problems a whole check of `spec` finds: the last run's (`before`, of the text
    `text_before`) outside the `edited` path items, and the `fresh` ones of those
    (edited_problems), located."""
    moved = _Moved(spec, text_edit(text_before, spec.raw))
    order = {path: index for index, path in enumerate(spec.data.get("paths") or {})}

    def merged(old: tuple[Problem, ...], new: tuple[Problem, ...]) -> tuple[Problem, ...]:
        kept = [moved(problem) for problem in old if problem.origin[1] not in edited]
        located = locate_each(spec, list(new))
        # The walk's order: by group, then path (components first); stable inside each.
        key = lambda problem: (problem.origin[0], order.get(problem.origin[1], -1))  # noqa: E731
        return tuple(sorted([*kept, *located], key=key))

    return FoundProblems(
        merged(before.openapi, fresh.openapi), merged(before.examples, fresh.examples)
    )


def located_after_edit(
    spec: LoadedSpec,
    before: tuple[Problem, ...],
    text_before: bytes,
    edited: frozenset[str],
    found: list[Problem],
) -> list[Problem]:
    """`found` with their positions: the last run's (`before`, in `text_before`) moved, for a
    problem it found too outside the `edited` path items (there the same pointer is the same
    text); located afresh for the others."""
    moved = _Moved(spec, text_edit(text_before, spec.raw))
    earlier = {(p.pointer, p.message): p for p in before if not in_paths(p.pointer, edited)}
    fresh = [problem for problem in found if (problem.pointer, problem.message) not in earlier]
    located = iter(locate_each(spec, fresh))
    return [
        moved(earlier[key]) if key in earlier else next(located)
        for key in ((problem.pointer, problem.message) for problem in found)
    ]


def in_paths(pointer: str, paths: frozenset[str]) -> bool:
    """Whether `pointer` is inside one of these path items."""
    tokens = pointer_tokens(pointer)
    return len(tokens) > 1 and tokens[0] == "paths" and tokens[1] in paths


class _Moved:
    """A problem of the last run, located in the edited text: moved by the lines the edit
    added above it, or located again if the edit touched its line."""

    def __init__(self, spec: LoadedSpec, edit: TextEdit) -> None:
        self.spec = spec
        self.edit = edit

    def __call__(self, problem: Problem) -> Problem:
        line, column, rest = _split_where(problem.where)
        if line is None:
            return problem  # located by its pointer only: nothing to move
        now = self.edit.moved(line)
        if now is None:
            return locate_each(self.spec, [problem])[0]
        return problem if now == line else replace(problem, where=f"{now}:{column}:{rest}")


def _split_where(where: str) -> tuple[int | None, str, str]:
    """`12:5: #/a` -> (12, "5", " #/a"); (None, "", "") when there is no line."""
    parts = where.split(":", 2)
    if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit():
        return int(parts[0]), parts[1], parts[2]
    return None, "", ""
