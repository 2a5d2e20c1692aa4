"""Property: the generated client's decoder gives a result or a typed PostHogError, nothing else.

Fed to the committed `posthog_api` (generated/), in its default (tolerant) and strict modes:
random JSON, and the fixture and server-shaped bodies of each operation changed at one node.
Each body goes through what a call does with it: `Parser[T]` of the method's return type, a
page of results for list operations, and `from_dict` of every model. A result must also encode
back (`to_dict`). Any other exception (KeyError, TypeError, RecursionError...) is a bug.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import sys
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz import harness
from tests.fuzz.mutate import all_paths, get

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "generated"
sys.path.insert(0, str(GENERATED))  # the committed package, as tests/generated import it

import posthog_api  # noqa: E402
from posthog_api import _models, models  # noqa: E402
from posthog_api._pagination import SyncPage, _BasePage  # noqa: E402

from generator.pipeline import load_and_parse  # noqa: E402


@functools.cache
def model_classes() -> list[type[_models.Model]]:
    found = [getattr(models, name) for name in models.__all__]
    return [cls for cls in found if isinstance(cls, type) and issubclass(cls, _models.Model)]


@functools.cache
def operations() -> list[tuple[str, Any, bool, list[Any]]]:
    """(operation id, decoded type, is a page, seed bodies) for every operation with a body."""
    api = load_and_parse(ROOT / "spec" / "posthog.yaml")
    client = posthog_api.PostHog(api_key="phx_fuzz", project_id=1)
    found = []
    for operation in api.operations:
        resource = getattr(client, operation.tag)
        method = getattr(type(resource), operation.method_name)
        # Resource modules import the page classes for type checking only.
        returned = typing.get_type_hints(method, localns={"SyncPage": SyncPage})["return"]
        page = typing.get_origin(returned) is SyncPage
        decoded = typing.get_args(returned)[0] if page else returned
        if decoded is type(None):
            continue
        found.append((operation.operation_id, decoded, page, _seeds(operation.operation_id)))
    client.close()
    return found


def _seeds(operation_id: str) -> list[Any]:
    bodies = []
    fixture = GENERATED / "fixtures" / f"{operation_id}.json"
    if fixture.is_file():
        bodies.append(json.loads(fixture.read_text(encoding="utf-8"))["response_body"])
    shaped = ROOT / "tests" / "spec" / "server_shaped" / f"{operation_id}.json"
    if shaped.is_file():
        bodies += json.loads(shaped.read_text(encoding="utf-8")).get("bodies", [])
    return [body for body in bodies if body is not None] or [{}]


# What json.loads can return: NaN and the infinities included (httpx accepts them).
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**63, max_value=2**90)
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["2024-01-02T03:04:05Z", "2024-01-02", "not-a-date", "", "0" * 40])
    | st.sampled_from([str(i) for i in range(3)] + ["6f1c2b1e-8d0f-4a57-9a3e-0d7c8a3b9f10"])
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)


@dataclass(frozen=True)
class Body:
    """A response body for an operation; its repr stays short and flat (hypothesis prints the
    failing example, and its printer recurses once per level of a 900-level body)."""

    operation_id: str
    decoded: Any
    page: bool
    value: Any

    def __repr__(self) -> str:
        shown = _flat(self.value)
        return f"Body({self.operation_id!r}, page={self.page}, {shown[:2000]})"

    def _repr_pretty_(self, printer: Any, _cycle: bool) -> None:
        """Hypothesis prints a dataclass field by field (recursing), not with its __repr__."""
        printer.text(repr(self))


def _flat(value: Any) -> str:
    """JSON text of `value` without recursion (json.dumps recurses once per level)."""
    out: list[str] = []
    pending: list[Any] = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, _Text):
            out.append(item.text)
        elif isinstance(item, list):
            pending.append(_Text("]"))
            for index, child in reversed(list(enumerate(item))):
                pending.extend([child] + ([_Text(", ")] if index else []))
            pending.append(_Text("["))
        elif isinstance(item, dict):
            pending.append(_Text("}"))
            for index, (key, child) in reversed(list(enumerate(item.items()))):
                pending.extend([child, _Text(f"{json.dumps(str(key))}: ")])
                if index:
                    pending.append(_Text(", "))
            pending.append(_Text("{"))
        else:
            out.append(json.dumps(item, default=repr))
    return "".join(out)


@dataclass(frozen=True)
class _Text:
    text: str


@st.composite
def bodies(draw: st.DrawFn) -> Body:
    """An operation and a body for it: random JSON, or one of its seeds changed at one node."""
    # Indexes, not the values: hypothesis would print (and warn about) a repr of every body.
    choices = operations()
    operation_id, decoded, page, seeds = choices[draw(st.integers(0, len(choices) - 1))]
    if draw(st.integers(0, 3)) == 0:
        return Body(operation_id, decoded, page, draw(json_values))
    body = copy.deepcopy(seeds[draw(st.integers(0, len(seeds) - 1))])
    for _ in range(draw(st.integers(1, 3))):
        paths = all_paths(body)
        path = paths[draw(st.integers(0, len(paths) - 1))]
        kind = draw(st.sampled_from(["replace", "delete", "deep", "wrap"]))
        if not path:
            body = draw(json_values)
            continue
        parent = get(body, path[:-1])
        if kind == "delete":
            del parent[path[-1]]
        elif kind == "deep":
            nested: Any = get(body, path)
            for _ in range(draw(st.sampled_from([50, 400, 900]))):
                nested = [nested] if draw(st.booleans()) else {"a": nested}
            parent[path[-1]] = nested
        elif kind == "wrap":
            parent[path[-1]] = [get(body, path)]
        else:
            parent[path[-1]] = draw(json_values)
    return Body(operation_id, decoded, page, body)


@settings(max_examples=settings().max_examples * 2)
@given(case=bodies(), strict=st.booleans())
def test_a_response_decodes_or_raises_a_posthog_error(case: Body, strict: bool) -> None:
    harness.CASES["decoder"] += 1
    decoded, page, body = case.decoded, case.page, case.value
    try:
        if page:
            # What SyncPage does with a page body, without the client it fetches more with.
            result: Any = _BasePage(body, item=_models.Parser(decoded), options=None, strict=strict)
            encoded = [_encoded(item) for item in result.results]
        else:
            result = _models.Parser(decoded)(body, strict=strict)
            encoded = _encoded(result)
    except posthog_api.PostHogError:
        return
    assert_json(encoded)


@settings(max_examples=settings().max_examples * 2)
@given(model=st.sampled_from(model_classes()), data=json_values, strict=st.booleans())
def test_every_model_decodes_random_json_or_raises_a_posthog_error(
    model: type[_models.Model], data: Any, strict: bool
) -> None:
    harness.CASES["models"] += 1
    try:
        value = model.from_dict(data, strict=strict)
    except posthog_api.PostHogError:
        return
    assert isinstance(value, model)
    assert_json(value.to_dict())


def assert_json(value: Any) -> None:
    """`value` is JSON data (what json.dumps takes), checked without recursion."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            assert all(isinstance(key, str) for key in item), list(item)
            pending.extend(item.values())
        else:
            assert item is None or isinstance(item, str | int | float | bool), repr(item)


def _encoded(value: Any) -> Any:
    """What the client would send back: a model's to_dict, or the value as it is."""
    if isinstance(value, _models.Model):
        return value.to_dict()
    if isinstance(value, list):
        return [_encoded(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _nested(depth: int) -> Any:
    value: Any = "leaf"
    for index in range(depth):
        value = [value] if index % 2 else {"a": value}
    return value


def _depth(value: Any) -> int:
    depth = 0
    while isinstance(value, list | dict):
        value = value[0] if isinstance(value, list) else value["a"]
        depth += 1
    return depth


def test_data_nested_as_deeply_as_json_allows_round_trips() -> None:
    """Found by the fuzzer: to_dict recursed once per level of a value kept as sent."""
    deep = _nested(950)  # json.loads gives up at about 1000 levels
    model = model_classes()[0]
    value = model.from_dict({"unknown": deep})
    assert _depth(value.to_dict()["unknown"]) == 950


def test_data_nested_deeper_than_the_decoder_goes_is_a_posthog_error() -> None:
    """Found by the fuzzer: from_dict and Parser let RecursionError out."""
    nested_type: Any = int
    deep: Any = 1
    for _ in range(3000):
        nested_type, deep = list[nested_type], [deep]
    for strict in (False, True):
        with pytest.raises(posthog_api.ResponseValidationError, match="nested too deeply"):
            _models.Parser(nested_type)(deep, strict=strict)


def test_a_failing_body_is_printed_flat() -> None:
    """Found by the fuzzer (its own bug): hypothesis printed a failing 950-level body field by
    field, recursing once per level (RecursionError instead of the failure)."""
    from hypothesis.vendor.pretty import pretty

    case = Body("roles_retrieve", decoded=dict, page=False, value=_nested(950))
    shown = pretty(case)
    assert shown.startswith("Body('roles_retrieve', page=False, [{\"a\": [") and len(shown) < 2100
