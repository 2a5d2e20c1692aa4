"""`fixture_transport()` serves every list as several pages, so users can test their paging code.

The fixture of a list operation is its example page plus `"pages": N`; the transport answers
the page at the request's `offset` and writes `next`/`previous` on the request's own host.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from posthog_api import AsyncPostHog, PostHog
from posthog_api.testing import fixture_transport, load_fixtures

from .operations import FIXTURES_DIR, HOST, build_call


def list_operations() -> list[str]:
    return sorted(f["operation_id"] for f in load_fixtures() if f.get("pages"))


class Counting(httpx.MockTransport):
    """The fixture transport, remembering each request's URL."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        served = fixture_transport()

        def handle(request: httpx.Request) -> httpx.Response:
            self.urls.append(str(request.url))
            return served.handle_request(request)

        super().__init__(handle)


def test_every_paginated_list_has_a_multi_page_fixture() -> None:
    paged = list_operations()
    assert "annotations_list" in paged
    for operation_id in paged:
        fixture = json.loads((FIXTURES_DIR / f"{operation_id}.json").read_text(encoding="utf-8"))
        body = fixture["response_body"]
        assert fixture["pages"] >= 3
        assert body["count"] == fixture["pages"] * len(body["results"])
        assert body["next"] is None  # written by the transport, on the client's own host


@pytest.mark.parametrize("operation_id", list_operations())
def test_iterating_a_list_walks_every_page(operation_id: str) -> None:
    call = build_call(operation_id)
    fixture = call.fixture
    transport = Counting()
    with PostHog(api_key="phx_test", host=HOST, transport=transport, **call.defaults) as client:
        page = call.method(client)(**call.kwargs)
        items = list(page)
    per_page = len(fixture["response_body"]["results"])
    assert len(items) == fixture["pages"] * per_page
    assert len(transport.urls) == fixture["pages"]
    assert all(url.startswith(HOST) for url in transport.urls)
    assert "offset=" in transport.urls[-1]


def test_async_iteration_walks_every_page() -> None:
    async def walk() -> int:
        async with AsyncPostHog(
            api_key="phx_test", host=HOST, project_id=1, transport=fixture_transport()
        ) as client:
            return len([item async for item in await client.annotations.list()])

    fixture = next(f for f in load_fixtures() if f["operation_id"] == "annotations_list")
    assert asyncio.run(walk()) == fixture["pages"] * len(fixture["response_body"]["results"])


def test_an_overridden_body_is_served_as_the_one_page() -> None:
    body = {"count": 1, "next": None, "previous": None, "results": []}
    transport = fixture_transport({"annotations_list": {"response_body": body}})
    with PostHog(api_key="phx_test", host=HOST, project_id=1, transport=transport) as client:
        assert list(client.annotations.list()) == []
