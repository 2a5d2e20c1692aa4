"""posthog_api.testing: the generated fixtures served by route, sync and async, no network."""

from __future__ import annotations

from typing import Any

import pytest
from posthog_api import testing
from posthog_api._base_client import AsyncAPIClient, SyncAPIClient
from posthog_api._exceptions import NotFoundError, PermissionDeniedError
from posthog_api.testing import FixtureOverride, fixture_transport, load_fixtures

from .helpers import identity

SAMPLE_FIXTURES: dict[str, Any] = {
    "fixtures": [
        {
            "operation_id": "annotations_list",
            "method": "GET",
            "path": "/api/projects/{project_id}/annotations/",
            "path_params": {"project_id": "12345"},
            "query": {"limit": 100},
            "request_body": None,
            "status": 200,
            "response_body": {"count": 1, "next": None, "previous": None, "results": [{"id": 1}]},
        },
        {
            "operation_id": "annotations_retrieve",
            "method": "GET",
            "path": "/api/projects/{project_id}/annotations/{id}/",
            "path_params": {"project_id": "12345", "id": "1"},
            "query": {},
            "request_body": None,
            "status": 200,
            "response_body": {"id": 1, "content": "deploy"},
        },
        {
            "operation_id": "annotations_activity",
            "method": "GET",
            "path": "/api/projects/{project_id}/annotations/activity/",
            "path_params": {"project_id": "12345"},
            "query": {},
            "request_body": None,
            "status": 200,
            "response_body": {"results": []},
        },
        {
            "operation_id": "annotations_destroy",
            "method": "DELETE",
            "path": "/api/projects/{project_id}/annotations/{id}/",
            "path_params": {"project_id": "12345", "id": "1"},
            "query": {},
            "request_body": None,
            "status": 204,
            "response_body": None,
        },
    ]
}


@pytest.fixture(autouse=True)
def _sample_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fixed routes, so these tests do not depend on which spec the package was generated from."""
    monkeypatch.setattr(testing, "load_fixtures", lambda: SAMPLE_FIXTURES["fixtures"])


def make_client(**overrides: FixtureOverride) -> SyncAPIClient:
    transport = fixture_transport(overrides)
    return SyncAPIClient(api_key="test", default_path_params={"project_id": 1}, transport=transport)


def test_fixtures_load_from_the_package_data_file() -> None:
    fixtures = load_fixtures()  # the real function: only testing.load_fixtures is patched
    assert fixtures
    for fixture in fixtures:
        assert {"operation_id", "method", "path", "status", "response_body"} <= fixture.keys()


def test_a_route_is_answered_with_its_fixture_whatever_the_parameters() -> None:
    with make_client() as api:
        listed = api.request_page(
            method="GET", path="/api/projects/99/annotations/", query={"limit": 1}, item=identity
        )
        one = api.request(method="GET", path="/api/projects/1/annotations/7/", parse=identity)
        deleted = api.request(
            method="DELETE", path="/api/projects/1/annotations/7/", parse=identity
        )
    assert listed.parse().results == [{"id": 1}]
    assert one.parse() == {"id": 1, "content": "deploy"}
    assert (deleted.status_code, deleted.parse()) == (204, None)


def test_a_literal_route_wins_over_a_templated_one() -> None:
    with make_client() as api:
        activity = api.request(
            method="GET", path="/api/projects/1/annotations/activity/", parse=identity
        )
    assert activity.parse() == {"results": []}


def test_an_unknown_route_is_a_posthog_404_naming_it() -> None:
    with make_client() as api, pytest.raises(NotFoundError) as caught:
        api.request(method="POST", path="/api/projects/1/annotations/", parse=identity)
    assert caught.value.detail == "no fixture for POST /api/projects/1/annotations/"


def test_overrides_replace_status_and_body() -> None:
    denied: FixtureOverride = {
        "status": 403,
        "response_body": {"type": "authentication_error", "detail": "No."},
    }
    with make_client(annotations_retrieve=denied) as api:
        with pytest.raises(PermissionDeniedError, match="No"):
            api.request(method="GET", path="/api/projects/1/annotations/7/", parse=identity)
        listed = api.request(method="GET", path="/api/projects/1/annotations/", parse=identity)
    assert listed.status_code == 200


def test_an_override_for_an_unknown_operation_is_a_typo() -> None:
    with pytest.raises(KeyError, match="annotation_list"):
        fixture_transport({"annotation_list": {"status": 500}})


@pytest.mark.anyio
async def test_the_same_transport_serves_the_async_client() -> None:
    async with AsyncAPIClient(api_key="test", transport=fixture_transport()) as api:
        response = await api.request(
            method="GET", path="/api/projects/1/annotations/7/", parse=identity
        )
    assert response.parse()["content"] == "deploy"
