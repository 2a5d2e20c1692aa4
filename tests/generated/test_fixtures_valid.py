"""Every fixture in generated/fixtures/ is a request and response the spec allows."""

from __future__ import annotations

import functools
import json
import re

import pytest

from tests.runtime.spec_validator import SpecValidator

from .operations import FIXTURES_DIR, fixtures, operation_params, spec_operation_ids

BUNDLE = FIXTURES_DIR.parent / "posthog_api" / "_fixtures.json"


@functools.cache
def validator() -> SpecValidator:
    return SpecValidator()


def test_one_fixture_per_operation_id() -> None:
    files = sorted(path.stem for path in FIXTURES_DIR.glob("*.json"))
    assert files, "no fixtures: run `make generate`"
    assert files == list(spec_operation_ids()), "generated/ is stale: run `make generate`"
    assert all(fixture["operation_id"] == op_id for op_id, fixture in fixtures().items())


def test_the_bundled_fixtures_are_the_fixture_files() -> None:
    bundled = json.loads(BUNDLE.read_text(encoding="utf-8"))["fixtures"]
    assert {fixture["operation_id"]: fixture for fixture in bundled} == fixtures()
    assert len(bundled) == len(fixtures())


@pytest.mark.parametrize("operation_id", operation_params())
def test_fixture_matches_the_spec(operation_id: str) -> None:
    fixture = fixtures()[operation_id]
    spec = validator()
    operation = spec.operations[operation_id]
    assert (fixture["method"], fixture["path"]) == (operation.method, operation.path)
    assert set(re.findall(r"\{([^/{}]+)\}", operation.path)) == set(fixture["path_params"])
    problems = [
        *spec.parameter_errors(operation, "path", fixture["path_params"]),
        *spec.parameter_errors(operation, "query", fixture["query"]),
        *spec.response_errors(operation, fixture["status"], fixture["response_body"]),
    ]
    body = fixture["request_body"]
    if operation.body_pointer is None:
        assert body is None, "the operation takes no request body"
    elif body is not None:
        problems += [f"request_body{e[1:]}" for e in spec.errors(operation.body_pointer, body)]
    else:
        assert not operation.body_required, "the operation requires a request body"
    assert problems == []


@pytest.mark.parametrize(
    ("fixture_change", "problem"),
    [
        ({"query": {"limit": "ten"}}, "query limit: 'ten' is not of type 'integer'"),
        ({"path_params": {"project_id": 12345}}, "path project_id: 12345 is not of type"),
        ({"status": 418}, "status 418 is not documented"),
        ({"response_body": {"count": 1}}, "response: 'results' is a required property"),
    ],
)
def test_the_validation_can_fail(fixture_change: dict[str, object], problem: str) -> None:
    """The checks above are real: a broken copy of a fixture is rejected with the reason."""
    fixture = {**fixtures()["annotations_list"], **fixture_change}
    spec = validator()
    operation = spec.operations["annotations_list"]
    problems = [
        *spec.parameter_errors(operation, "path", fixture["path_params"]),
        *spec.parameter_errors(operation, "query", fixture["query"]),
        *spec.response_errors(operation, fixture["status"], fixture["response_body"]),
    ]
    assert any(found.startswith(problem) for found in problems), problems


def test_a_bad_request_body_is_rejected() -> None:
    spec = validator()
    pointer = spec.operations["annotations_create"].body_pointer
    assert pointer is not None
    assert spec.errors(pointer, {"content": "x"}) == []
    assert spec.errors(pointer, {"scope": "galaxy", "date_marker": "soon"}) == [
        "$.date_marker: 'soon' is not a 'date-time'",
        "$.scope: 'galaxy' is not one of "
        "['dashboard_item', 'dashboard', 'project', 'organization', 'tag', 'recording']",
    ]
