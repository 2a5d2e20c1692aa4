"""The client API surface diff: what a caller of the generated client notices."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.pipeline import load_and_parse
from generator.review.surface import diff_surfaces, surface_of
from tests.goldens import FEATURES

BASE = yaml.safe_load((FEATURES / "read_only" / "spec.yaml").read_text())
Mutation = Callable[[dict[str, Any]], None]


def _note(spec: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = spec["components"]["schemas"]["Note"]
    return schema


def _patch_op(spec: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = spec["paths"]["/api/notes/{id}/"]["patch"]
    return operation


def rename_operation(spec: dict[str, Any]) -> None:
    _patch_op(spec)["operationId"] = "notes_update_partially"


def remove_operation(spec: dict[str, Any]) -> None:
    del spec["paths"]["/api/notes/{id}/"]
    del spec["components"]["schemas"]["PatchedNote"]


def add_required_query(spec: dict[str, Any]) -> None:
    _patch_op(spec)["parameters"].append(
        {"name": "scope", "in": "query", "required": True, "schema": {"type": "string"}}
    )


def add_optional_query(spec: dict[str, Any]) -> None:
    _patch_op(spec)["parameters"].append(
        {"name": "scope", "in": "query", "schema": {"type": "string"}}
    )


def change_path_param_type(spec: dict[str, Any]) -> None:
    parameter = _patch_op(spec)["parameters"][0]
    parameter["schema"] = {"type": "string"}
    if "example" in parameter:  # an example must fit its schema (generate refuses it otherwise)
        parameter["example"] = str(parameter["example"])


def remove_response_field(spec: dict[str, Any]) -> None:
    del _note(spec)["properties"]["created_at"]
    _note(spec)["required"].remove("created_at")


def change_field_type(spec: dict[str, Any]) -> None:
    _note(spec)["properties"]["content"] = {"type": "integer"}


def make_field_optional(spec: dict[str, Any]) -> None:
    _note(spec)["required"].remove("content")


def add_response_field(spec: dict[str, Any]) -> None:
    _note(spec)["properties"]["title"] = {"type": "string"}


def require_body_field(spec: dict[str, Any]) -> None:
    spec["components"]["schemas"]["PatchedNote"]["required"] = ["content"]


def change_response_type(spec: dict[str, Any]) -> None:
    _patch_op(spec)["responses"]["200"]["content"]["application/json"]["schema"] = {
        "type": "object",
        "additionalProperties": True,
    }


CASES: list[tuple[Mutation, set[tuple[str, str, str]]]] = [
    (rename_operation, {("breaking", "method-renamed", "client.notes.partial_update()")}),
    (
        remove_operation,
        {
            ("breaking", "method-removed", "client.notes.partial_update()"),
            ("breaking", "model-removed", "PatchedNote"),
        },
    ),
    (
        add_required_query,
        {("breaking", "required-argument-added", "client.notes.partial_update()")},
    ),
    (add_optional_query, {("info", "optional-argument-added", "client.notes.partial_update()")}),
    (
        change_path_param_type,
        {("breaking", "argument-type-changed", "client.notes.partial_update()")},
    ),
    (remove_response_field, {("breaking", "field-removed", "Note.created_at")}),
    (
        change_field_type,
        {
            ("breaking", "field-type-changed", "Note.content"),
            ("breaking", "argument-type-changed", "client.notes.create()"),
        },
    ),
    (
        make_field_optional,
        {
            ("warning", "field-now-optional", "Note.content"),
            ("info", "argument-now-optional", "client.notes.create()"),
        },
    ),
    (
        add_response_field,
        {
            ("info", "field-added", "Note.title"),
            ("info", "optional-argument-added", "client.notes.create()"),
        },
    ),
    (
        require_body_field,
        {
            ("breaking", "argument-now-required", "client.notes.partial_update()"),
            ("breaking", "field-now-required", "PatchedNote.content"),
        },
    ),
    (
        change_response_type,
        {("breaking", "return-type-changed", "client.notes.partial_update()")},
    ),
]


def surface_for(tmp_path: Path, spec: dict[str, Any], name: str) -> Any:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return surface_of(load_and_parse(path))


@pytest.mark.parametrize(("mutate", "expected"), CASES, ids=[m.__name__ for m, _ in CASES])
def test_change_is_classified(
    tmp_path: Path, mutate: Mutation, expected: set[tuple[str, str, str]]
) -> None:
    head = copy.deepcopy(BASE)
    mutate(head)
    changes = diff_surfaces(
        surface_for(tmp_path, BASE, "base"), surface_for(tmp_path, head, "head")
    )
    assert {(c.severity, c.rule, c.subject) for c in changes} == expected


def test_identical_specs_have_no_changes(tmp_path: Path) -> None:
    surface = surface_for(tmp_path, BASE, "base")
    assert diff_surfaces(surface, surface_for(tmp_path, BASE, "again")) == []


def test_message_names_the_new_argument(tmp_path: Path) -> None:
    head = copy.deepcopy(BASE)
    add_required_query(head)
    (change,) = diff_surfaces(
        surface_for(tmp_path, BASE, "base"), surface_for(tmp_path, head, "head")
    )
    assert f"{change.subject}: {change.message}" == (
        "client.notes.partial_update(): new required keyword argument 'scope: str'"
    )


def test_types_are_shown_as_the_caller_writes_them(tmp_path: Path) -> None:
    """The generated modules import `datetime as _dt`; the report shows `datetime`."""
    head = copy.deepcopy(BASE)
    _note(head)["properties"]["created_at"] = {"type": "string", "readOnly": True}
    changes = diff_surfaces(
        surface_for(tmp_path, BASE, "base"), surface_for(tmp_path, head, "head")
    )
    assert [(change.subject, change.message) for change in changes] == [
        ("Note.created_at", "is now str (was datetime)")
    ]
