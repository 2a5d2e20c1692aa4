"""Arguments and fields typed the way a caller uses them, on a spec that is not PostHog's.

tests/features/caller_typing/spec.yaml is generated into a package; a user script over it must
pass `mypy --strict` (its `# type: ignore[...]` lines must be errors), and the client must send
what those calls mean. The rules: a string path parameter named as an id also takes an int
unless the spec shows it is no number; an enum argument also takes its values as literals; a
field or argument named `uuid`, `datetime` or `date` keeps its name.
"""

from __future__ import annotations

import datetime
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from generator.ir.argument_types import takes_int_id
from generator.ir.model import TypeRef
from tests.generator.real_packages import Package, build, problems

SPEC = Path(__file__).resolve().parents[1] / "features" / "caller_typing" / "spec.yaml"
PACKAGE = "caller_typing_pkg"

USER_SCRIPT = f'''
"""A caller of the generated client; each `type: ignore` line must be a type error."""

from __future__ import annotations

import datetime
from uuid import UUID

from {PACKAGE} import PostHog
from {PACKAGE}.models import Order, OrderStatus


def ids(client: PostHog) -> None:
    client.orders.retrieve(shop_id=1, id=1042)
    client.orders.retrieve(shop_id="@current", id="1042")
    destroy, one = client.keys.destroy, UUID(int=1)
    destroy(region_id="eu", key_id="key_0a1b2c3d", customer_id=one, username="ada")
    destroy(region_id=1, key_id="k", customer_id=one, username="a")  # type: ignore[arg-type]
    destroy(region_id="eu", key_id=1, customer_id=one, username="a")  # type: ignore[arg-type]
    destroy(region_id="eu", key_id="k", customer_id=1, username="a")  # type: ignore[arg-type]
    destroy(region_id="eu", key_id="k", customer_id=one, username=1)  # type: ignore[arg-type]


def enums(client: PostHog) -> Order:
    client.orders.list(shop_id=1, status="paid", channels=["web", "phone"])
    client.orders.list(shop_id=1, status=OrderStatus.PAID, tag="any text")
    client.orders.list(shop_id=1, status="lost")  # type: ignore[arg-type]
    client.orders.list(shop_id=1, channels=["fax"])  # type: ignore[list-item]
    return client.orders.create(
        shop_id=1, datetime=datetime.datetime.now(datetime.UTC), status="open", priority=2
    )


def names(client: PostHog, order: Order) -> tuple[UUID, datetime.datetime, datetime.date | None]:
    client.orders.list(shop_id=1, uuid=UUID(int=1), date=datetime.date.today())
    day: datetime.date = client.orders.date(shop_id=1, day=datetime.date.today())
    fresh: UUID = client.orders.uuid(shop_id=1)
    order.uuid_  # type: ignore[attr-defined]
    shipped = order.ships_on if isinstance(order.ships_on, datetime.date) else None
    placed: UUID | str = order.field_ if isinstance(order.field_, str) else fresh
    return order.uuid, order.datetime, shipped if placed else day
'''

ORDER = {
    "uuid": "01890c2e-7a5b-7000-8000-000000000001",
    "datetime": "2024-05-06T07:08:09Z",
    "date": "2024-05-06",
    "status": "paid",
    "priority": 2,
    "reference": "01890c2e-7a5b-7000-8000-000000000002",
    "placed_at": "2024-05-05T00:00:00Z",
    "ships_on": "2024-05-07",
    "field": "gift",
    "str": 3,
}


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Package:
    return build(SPEC, PACKAGE, tmp_path_factory.mktemp("caller-typing"))


def test_a_caller_script_passes_mypy_strict(package: Package, tmp_path: Path) -> None:
    script = tmp_path / "caller.py"
    script.write_text(textwrap.dedent(USER_SCRIPT), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--python-version", "3.11",
         "--cache-dir", str(tmp_path / "mypy-cache"), str(package.out / PACKAGE), str(script)],
        capture_output=True, text=True, timeout=300, cwd=package.out, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert problems(done.stdout, package) == []
    for code in ("arg-type", "list-item", "attr-defined"):
        assert f"# type: ignore[{code}]" in USER_SCRIPT


def _annotations(package: Package, operation_id: str) -> dict[str, str]:
    operation = next(op for op in package.api.operations if op.operation_id == operation_id)
    return {a.py_name: a.type.annotation for a in operation.arguments}


def test_path_ids_take_an_int_unless_the_spec_says_they_are_no_number(package: Package) -> None:
    assert _annotations(package, "orders_retrieve") == {"shop_id": "int | str", "id": "int | str"}
    assert _annotations(package, "keys_destroy") == {
        "region_id": "str",  # its example is no number
        "key_id": "str",  # its pattern admits no digits
        "customer_id": "UUID",  # its format decides
        "username": "str",  # not named as an id
    }


def test_enum_arguments_take_their_values_and_open_enums_stay_str(package: Package) -> None:
    arguments = _annotations(package, "orders_list")
    assert arguments["status"] == 'OrderStatus | Literal["open", "paid", "shipped"]'
    assert arguments["channels"] == 'list[OrdersListChannelsItem | Literal["web", "shop", "phone"]]'
    assert arguments["tag"] == "str"  # x-known-values: an open list, any string goes
    created = _annotations(package, "orders_create")
    assert created["priority"] == "Priority | Literal[1, 2, 3]"
    order = next(m for m in package.api.models if m.name == "Order")
    assert {f.py_name: f.type.annotation for f in order.fields}["status"] == "OrderStatus"


def test_names_like_types_are_kept_and_only_real_clashes_renamed(package: Package) -> None:
    order = next(m for m in package.api.models if m.name == "Order")
    assert [f.py_name for f in order.fields] == [
        "uuid", "datetime", "date", "status", "priority", "reference", "placed_at", "ships_on",
        "field_", "str_",
    ]  # fmt: skip
    assert list(_annotations(package, "orders_list"))[-4:] == ["uuid", "date", "datetime", "tag"]
    methods = [op.method_name for op in package.api.operations if op.tag == "orders"]
    assert methods == ["list", "create", "retrieve", "date", "uuid"]


def test_the_client_sends_ids_and_enum_values_as_text(package: Package) -> None:
    sent: list[httpx.Request] = []

    def respond(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=[ORDER] if request.url.path.endswith("/orders/") else ORDER)

    client = package.client(respond)
    models = package.module("models")
    client.orders.retrieve(shop_id=7, id=1042)
    client.orders.list(
        shop_id="@current",
        status="paid",
        channels=["web", models.OrdersListChannelsItem.PHONE],
        uuid=uuid.UUID(int=1),
        date=datetime.date(2024, 5, 6),
    )
    assert sent[0].url.path == "/api/shops/7/orders/1042/"
    assert sent[1].url.path == "/api/shops/@current/orders/"
    assert sent[1].url.params.multi_items() == [
        ("status", "paid"),
        ("channels", "web"),
        ("channels", "phone"),
        ("uuid", "00000000-0000-0000-0000-000000000001"),
        ("date", "2024-05-06"),
    ]


def test_fields_named_like_types_decode_and_encode_under_their_wire_names(
    package: Package,
) -> None:
    order_class: Any = package.module("models").Order
    order = order_class.from_dict(ORDER, strict=True)
    assert order.uuid == uuid.UUID(ORDER["uuid"])
    assert order.datetime == datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)
    assert order.date == datetime.date(2024, 5, 6)
    assert order.ships_on == datetime.date(2024, 5, 7)  # declared after the field `date`
    assert (order.field_, order.str_) == ("gift", 3)
    assert order.to_dict() == {
        **ORDER,
        "datetime": "2024-05-06T07:08:09+00:00",
        "placed_at": "2024-05-05T00:00:00+00:00",
    }


def _param(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "path", **extra}


STRING = {"type": "string"}


@pytest.mark.parametrize(
    ("param", "schema", "takes_int"),
    [
        (_param("id"), STRING, True),
        (_param("projectId"), STRING, True),
        (_param("ID"), STRING, True),
        (_param("user_pk"), STRING, True),
        (_param("slug"), STRING, False),
        (_param("idea"), STRING, False),
        (_param("id", example="12"), STRING, True),
        (_param("id", example="@me"), STRING, False),
        (_param("id", examples={"a": {"value": "@me"}, "b": {"value": 3}}), STRING, True),
        (_param("id", examples={"a": {"$ref": "#/x"}}), STRING, True),  # resolved: "42"
        (_param("id", examples={"a": {"value": True}}), STRING, False),
        (_param("id"), {**STRING, "examples": ["abc"]}, False),
        (_param("id"), {**STRING, "default": "me"}, False),
        (_param("id"), {**STRING, "pattern": "^[0-9]+$"}, True),
        (_param("id"), {**STRING, "pattern": "^[a-z]+$"}, False),
        (_param("id"), {**STRING, "pattern": "(unclosed"}, False),
        (_param("id"), {**STRING, "format": "slug"}, False),
    ],
)  # fmt: skip
def test_when_a_string_id_takes_an_int(
    param: dict[str, Any], schema: dict[str, Any], takes_int: bool
) -> None:
    examples = {"#/x": {"value": "42"}}

    def resolve(node: Any) -> Any:
        ref = node.get("$ref") if isinstance(node, dict) else None
        return examples[ref] if isinstance(ref, str) else node

    assert takes_int_id(param, schema, TypeRef("str"), resolve) is takes_int


def test_only_a_plain_string_id_is_widened() -> None:
    for type_ref in (TypeRef("str", nullable=True), TypeRef("int"), TypeRef("uuid")):
        assert not takes_int_id(_param("id"), {}, type_ref, lambda node: node)
