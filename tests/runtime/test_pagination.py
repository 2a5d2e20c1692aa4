"""DRF limit/offset pages: lazy auto-paging, stop conditions, and the same-host rule."""

from __future__ import annotations

from typing import Any

import pytest
from posthog_api._base_client import AsyncAPIClient, SyncAPIClient
from posthog_api._exceptions import PostHogError, ResponseValidationError, UnsafeNextPageError
from posthog_api._routes import next_page_path
from posthog_api._types import RequestOptions

from .helpers import PROJECT_PATH, identity
from .server import Reply, ScriptedServer


def page(results: list[Any], next_url: str | None, count: int | None = 5) -> Reply:
    return Reply(json={"count": count, "next": next_url, "previous": None, "results": results})


def script_three_pages(server: ScriptedServer) -> None:
    base = f"{server.url}{PROJECT_PATH}?limit=2"
    server.script(
        "GET",
        PROJECT_PATH,
        page([{"id": 1}, {"id": 2}], f"{base}&offset=2"),
        page([{"id": 3}, {"id": 4}], f"{base}&offset=4"),
        page([{"id": 5}], None),
    )


def item_id(raw: Any, **_: Any) -> int:
    return int(raw["id"])


def test_iterating_a_sync_page_follows_next_until_null(
    client: SyncAPIClient, server: ScriptedServer
) -> None:
    script_three_pages(server)
    options: RequestOptions = {"extra_headers": {"X-Trace": "t1"}}
    first = client.request_page(
        method="GET", path=PROJECT_PATH, query={"limit": 2}, options=options, item=item_id
    ).parse()

    assert (first.results, first.count, first.has_next_page()) == ([1, 2], 5, True)
    assert len(server.received) == 1, "pages after the first are fetched lazily"
    assert list(first) == [1, 2, 3, 4, 5]
    assert [r.path for r in server.received] == [
        f"{PROJECT_PATH}?limit=2",
        f"{PROJECT_PATH}?limit=2&offset=2",
        f"{PROJECT_PATH}?limit=2&offset=4",
    ]
    assert {r.headers["X-Trace"] for r in server.received} == {"t1"}


@pytest.mark.anyio
async def test_iterating_an_async_page_follows_next_until_null(
    async_client: AsyncAPIClient, server: ScriptedServer
) -> None:
    script_three_pages(server)
    response = await async_client.request_page(
        method="GET", path=PROJECT_PATH, query={"limit": 2}, item=item_id
    )
    first = response.parse()
    assert [value async for value in first] == [1, 2, 3, 4, 5]
    assert [r.path for r in server.received][1:] == [
        f"{PROJECT_PATH}?limit=2&offset=2",
        f"{PROJECT_PATH}?limit=2&offset=4",
    ]


def test_an_empty_page_stops_the_iteration(client: SyncAPIClient, server: ScriptedServer) -> None:
    next_url = f"{server.url}{PROJECT_PATH}?offset=2"
    server.script("GET", PROJECT_PATH, page([{"id": 1}], next_url), page([], next_url + "0"))
    first = client.request_page(method="GET", path=PROJECT_PATH, item=item_id).parse()
    assert list(first.iter_all()) == [1]
    assert len(server.received) == 2


def test_a_next_link_that_repeats_is_an_error_not_a_loop(
    client: SyncAPIClient, server: ScriptedServer
) -> None:
    next_url = f"{server.url}{PROJECT_PATH}?offset=1"
    server.script("GET", PROJECT_PATH, page([{"id": 1}], next_url))
    first = client.request_page(method="GET", path=PROJECT_PATH, item=item_id).parse()
    with pytest.raises(ResponseValidationError, match="already fetched"):
        list(first)
    assert len(server.received) == 2


def test_a_next_link_to_another_host_is_refused(
    client: SyncAPIClient, server: ScriptedServer, other_server: ScriptedServer
) -> None:
    other_server.script("GET", PROJECT_PATH, page([{"id": 666}], None))
    server.script("GET", PROJECT_PATH, page([{"id": 1}], f"{other_server.url}{PROJECT_PATH}"))
    first = client.request_page(method="GET", path=PROJECT_PATH, item=item_id).parse()
    items = first.iter_all()
    assert next(items) == 1
    with pytest.raises(UnsafeNextPageError):
        next(items)
    assert other_server.received == []


@pytest.mark.anyio
async def test_an_async_next_link_to_another_host_is_refused(
    async_client: AsyncAPIClient, server: ScriptedServer, other_server: ScriptedServer
) -> None:
    server.script("GET", PROJECT_PATH, page([{"id": 1}], f"{other_server.url}{PROJECT_PATH}"))
    first = (await async_client.request_page(method="GET", path=PROJECT_PATH, item=item_id)).parse()
    with pytest.raises(UnsafeNextPageError):
        await first.next_page()
    assert other_server.received == []


def test_next_page_on_the_last_page_is_an_error(
    client: SyncAPIClient, server: ScriptedServer
) -> None:
    server.script("GET", PROJECT_PATH, page([{"id": 1}], None))
    last = client.request_page(method="GET", path=PROJECT_PATH, item=item_id).parse()
    assert not last.has_next_page()
    with pytest.raises(PostHogError, match="last page"):
        last.next_page()


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ([], "$"),
        ({"results": {"id": 1}}, "$.results"),
        ({"results": [], "count": "3"}, "$.count"),
        ({"results": [], "count": True}, "$.count"),
        ({"results": [], "next": 5}, "$.next"),
    ],
)
def test_a_malformed_page_is_a_validation_error(
    client: SyncAPIClient, server: ScriptedServer, body: Any, path: str
) -> None:
    server.script("GET", PROJECT_PATH, Reply(json=body))
    response = client.request_page(method="GET", path=PROJECT_PATH, item=identity)
    with pytest.raises(ResponseValidationError) as caught:
        response.parse()
    assert caught.value.path == path


def test_an_item_error_is_reported_under_its_index(
    client: SyncAPIClient, server: ScriptedServer
) -> None:
    def strict_item(raw: Any, *, path: str = "$", **_: Any) -> str:
        if not isinstance(raw["created_at"], str):
            raise ResponseValidationError("expected a string", path=f"{path}.created_at")
        return raw["created_at"]

    rows = [{"created_at": "2025-01-01"}, {"created_at": 12}]
    server.script("GET", PROJECT_PATH, page(rows, None))
    response = client.request_page(method="GET", path=PROJECT_PATH, item=strict_item)
    with pytest.raises(ResponseValidationError) as caught:
        response.parse()
    assert caught.value.path == "$.results[1].created_at"


BASE = "https://us.posthog.com"


@pytest.mark.parametrize(
    ("next_url", "path"),
    [
        (f"{BASE}/api/projects/1/x/?offset=2", "/api/projects/1/x/?offset=2"),
        ("https://US.PostHog.com:443/api/x/", "/api/x/"),
        ("/api/x/?offset=2", "/api/x/?offset=2"),
    ],
)
def test_same_origin_next_links_become_paths(next_url: str, path: str) -> None:
    assert next_page_path(next_url, BASE) == path


def test_a_relative_next_link_resolves_against_the_current_page(
    client: SyncAPIClient, server: ScriptedServer
) -> None:
    server.script(
        "GET",
        PROJECT_PATH,
        page([{"id": 1}], "?limit=1&offset=1"),
        page([{"id": 2}], "../things/?limit=1&offset=2"),
        page([{"id": 3}], None),
    )
    first = client.request_page(
        method="GET", path=PROJECT_PATH, query={"limit": 1}, item=item_id
    ).parse()
    assert list(first) == [1, 2, 3]
    assert [r.path for r in server.received][1:] == [
        f"{PROJECT_PATH}?limit=1&offset=1",
        f"{PROJECT_PATH}?limit=1&offset=2",
    ]


@pytest.mark.parametrize(
    ("next_url", "path"),
    [
        ("?offset=5", "/posthog/api/projects/1/x/?offset=5"),
        ("../y/?offset=5", "/posthog/api/projects/1/y/?offset=5"),
        ("/posthog/api/z/", "/posthog/api/z/"),
    ],
)
def test_relative_next_links_resolve_like_a_browser(next_url: str, path: str) -> None:
    page_url = "https://example.com/posthog/api/projects/1/x/?limit=5"
    base = "https://example.com"
    assert next_page_path(next_url, base, page_url) == path


@pytest.mark.parametrize(
    "next_url",
    [
        "../../../../../other/",
        "/posthog/api/%2e%2e/admin/",
        "/posthog/api/%252E%252E/admin/",
        "/posthog/api/a%2Fb/",
        "/posthog/api//x/",
    ],
)
def test_a_next_link_that_escapes_the_base_or_its_route_is_refused(next_url: str) -> None:
    page_url = "https://example.com/posthog/api/projects/1/x/?limit=5"
    with pytest.raises(UnsafeNextPageError):
        next_page_path(next_url, "https://example.com/posthog", page_url)


def test_a_path_prefix_of_a_self_hosted_instance_is_kept() -> None:
    base = "https://example.com/posthog"
    assert next_page_path("https://example.com/posthog/api/x/?offset=2", base) == "/api/x/?offset=2"
    with pytest.raises(UnsafeNextPageError):
        next_page_path("https://example.com/other/api/x/", base)


@pytest.mark.parametrize(
    "next_url",
    [
        "http://us.posthog.com/api/x/",
        "https://eu.posthog.com/api/x/",
        "https://us.posthog.com:8443/api/x/",
        "https://us.posthog.com@evil.example/api/x/",
        "https://user:pw@us.posthog.com/api/x/",
        "//evil.example/api/x/",
    ],
)
def test_other_origins_are_refused(next_url: str) -> None:
    with pytest.raises(UnsafeNextPageError):
        next_page_path(next_url, BASE)
