"""The server-shaped bodies (tests/spec/server_shaped/) validate against the spec's responses.

Each body was written from PostHog's source, not from the docs; if the spec drifts from what
the server sends, this test names the operation and the JSON path. The same bodies also go
through the generated client in strict mode (tests/generated/test_server_shaped.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.runtime.spec_validator import SpecValidator

SHAPED_DIR = Path(__file__).resolve().parent / "server_shaped"
VALIDATOR = SpecValidator()


def bodies() -> list[Any]:
    params = []
    for path in sorted(SHAPED_DIR.glob("*.json")):
        if path.stem not in VALIDATOR.operations:
            continue  # a stale file: test_every_operation_has_a_file says to delete it
        data = json.loads(path.read_text())
        for index, body in enumerate(data["bodies"]):
            params.append(pytest.param(data, body, id=f"{path.stem}[{index}]"))
    return params


def test_every_operation_has_a_file() -> None:
    """A new operation needs the bodies its server sends; a removed one leaves a stale file."""
    files = {p.stem for p in SHAPED_DIR.glob("*.json")}
    folder = "tests/spec/server_shaped"
    missing = sorted(set(VALIDATOR.operations) - files)
    extra = sorted(files - set(VALIDATOR.operations))
    advice = [
        f"add {folder}/{name}.json: the bodies PostHog's server sends for {name}, written from"
        ' its serializer ({"operation_id", "status", "source", "bodies": [...]}, as the others)'
        for name in missing
    ] + [
        f"delete {folder}/{name}.json: the spec has no operation {name} any more" for name in extra
    ]
    assert not advice, "\n".join(advice)


@pytest.mark.parametrize(("data", "body"), bodies())
def test_a_server_shaped_body_matches_the_spec(data: dict[str, Any], body: Any) -> None:
    operation = VALIDATOR.operations[data["operation_id"]]
    assert VALIDATOR.response_errors(operation, data["status"], body) == []


def test_the_bodies_carry_nulls_where_the_server_sends_them() -> None:
    """The audit's point: deleted creators and unset optional links come back as null."""
    text = "".join(p.read_text() for p in SHAPED_DIR.glob("*.json"))
    assert text.count('"created_by": null') >= 8
