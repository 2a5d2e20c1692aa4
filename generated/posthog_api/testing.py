"""Test helpers: serve the generated response fixtures without a network.

    from posthog_api.testing import fixture_transport

    client = PostHog(
        api_key="test", project_id=1, transport=fixture_transport()
    )

httpx.MockTransport serves sync and async clients alike, so the same call works for
AsyncPostHog.
"""

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypedDict

import httpx

__all__ = ["FixtureOverride", "fixture_transport", "load_fixtures"]


class FixtureOverride(TypedDict, total=False):
    """Replaces parts of one operation's fixture, e.g. {"status": 404, "response_body": {...}}."""

    status: int
    response_body: object
    headers: Mapping[str, str]


def load_fixtures() -> list[dict[str, Any]]:
    """The fixtures the generator wrote next to this module, one per operation."""
    text = Path(__file__).with_name("_fixtures.json").read_text(encoding="utf-8")
    fixtures: list[dict[str, Any]] = json.loads(text)["fixtures"]
    return fixtures


def fixture_transport(
    overrides: Mapping[str, FixtureOverride] | None = None,
) -> httpx.MockTransport:
    """A transport answering each operation's route with its fixture (or override).

    Routes match on method and path template, a `{name}` matching one segment; literal routes
    win over templated ones. An unknown route answers 404 with PostHog's error JSON. A list
    answers several pages linked by `offset`, so iterating it walks them all.
    """
    fixtures = load_fixtures()
    overrides = overrides or {}
    unknown = set(overrides) - {fixture["operation_id"] for fixture in fixtures}
    if unknown:
        raise KeyError(f"overrides for unknown operations: {sorted(unknown)}")
    routes = sorted(
        (
            (
                fixture["method"].upper(),
                _route(fixture["path"]),
                _merged(fixture, overrides.get(fixture["operation_id"], {})),
            )
            for fixture in fixtures
        ),
        key=lambda route: str(route[2]["path"]).count("{"),
    )

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.raw_path.decode("ascii").partition("?")[0]
        for method, pattern, fixture in routes:
            if method == request.method and pattern.fullmatch(path):
                return _response(fixture, request.url)
        detail = f"no fixture for {request.method} {path}"
        error = {"type": "invalid_request", "code": "not_found", "detail": detail, "attr": None}
        return httpx.Response(404, json=error)

    return httpx.MockTransport(handle)


def _route(template: str) -> re.Pattern[str]:
    literals = re.split(r"\{[^/]+?\}", template)
    return re.compile("[^/]+".join(re.escape(literal) for literal in literals))


def _merged(fixture: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = {**fixture, **override}
    if "response_body" in override:
        merged.pop("pages", None)  # the override's body is the whole answer
    return merged


def _response(fixture: Mapping[str, Any], url: httpx.URL) -> httpx.Response:
    status, body, headers = fixture["status"], fixture.get("response_body"), fixture.get("headers")
    if body is None or status == 204:
        return httpx.Response(status, headers=headers)
    if fixture.get("pages") and isinstance(body, dict):
        body = _page_at(body, int(fixture["pages"]), url)
    return httpx.Response(status, json=body, headers=headers)


def _page_at(page: Mapping[str, Any], pages: int, url: httpx.URL) -> dict[str, Any]:
    """A list fixture is `pages` copies of its page: the one at the request's `offset`, linked
    to its neighbours on the request's own host (past the end: an empty last page)."""
    size = max(1, len(page["results"]))
    raw = url.params.get("offset", "0")
    offset = int(raw) if raw.isdigit() else 0
    index = offset // size
    last = index + 1 >= pages
    return {
        **page,
        "results": page["results"] if index < pages else [],
        "next": None if last else str(url.copy_set_param("offset", offset + size)),
        "previous": str(url.copy_set_param("offset", max(0, offset - size))) if index else None,
    }
