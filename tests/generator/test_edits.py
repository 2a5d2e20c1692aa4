"""generator.spec.edits: which path items an edit changed (a run after an edit redoes those)."""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest

from generator.spec.edits import DocumentSummary, digests_of, edited_paths

DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/a": {"get": {"parameters": [{"name": "n", "in": "query", "schema": {"default": 1}}]}},
        "/b": {"get": {"summary": "b"}},
    },
}


def _edited(before: dict[str, Any], after: dict[str, Any]) -> frozenset[str] | None:
    digests_before, digests_after = digests_of(before), digests_of(after)
    assert digests_before is not None and digests_after is not None
    return edited_paths(DocumentSummary(digests_before, 0), digests_after)


@pytest.mark.parametrize("value", [1.0, True, "1"])
def test_values_equal_under_python_equality_still_differ(value: object) -> None:
    after = copy.deepcopy(DOCUMENT)
    after["paths"]["/a"]["get"]["parameters"][0]["schema"]["default"] = value
    assert _edited(DOCUMENT, after) == {"/a"}


def test_an_unchanged_document_has_no_edited_path() -> None:
    assert _edited(DOCUMENT, copy.deepcopy(DOCUMENT)) == frozenset()


def test_a_change_outside_the_paths_is_not_confined_to_them() -> None:
    after = copy.deepcopy(DOCUMENT)
    after["info"]["title"] = "other"
    assert _edited(DOCUMENT, after) is None


def test_reordered_paths_are_not_confined_to_them() -> None:
    after = copy.deepcopy(DOCUMENT)
    after["paths"] = dict(reversed(after["paths"].items()))
    assert _edited(DOCUMENT, after) is None


def test_a_yaml_date_is_digested_too() -> None:
    before = copy.deepcopy(DOCUMENT)
    before["paths"]["/b"]["get"]["x-since"] = datetime.date(2024, 1, 1)
    after = copy.deepcopy(before)
    after["paths"]["/b"]["get"]["x-since"] = datetime.date(2024, 1, 2)
    assert _edited(before, after) == {"/b"}
