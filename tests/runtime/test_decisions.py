"""The pure functions behind the request loop: retry decisions, delays, query encoding."""

from __future__ import annotations

import copy
import enum
import pickle
from datetime import UTC, date, datetime
from email.utils import format_datetime

import httpx
import pytest
from posthog_api._constants import MAX_RETRY_AFTER, MAX_RETRY_DELAY
from posthog_api._core import parse_retry_after, redact_headers, retry_delay, should_retry
from posthog_api._encoding import encode_query
from posthog_api._types import UNSET, Unset


def test_unset_is_a_falsy_singleton_that_survives_copy_and_pickle() -> None:
    assert not UNSET
    assert repr(UNSET) == "UNSET"
    assert copy.deepcopy(UNSET) is UNSET
    assert pickle.loads(pickle.dumps(UNSET)) is UNSET
    assert isinstance(UNSET, Unset)


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "get"])
def test_retryable_statuses_are_retried_for_idempotent_methods(method: str, status: int) -> None:
    assert should_retry(method, status_code=status)


@pytest.mark.parametrize("status", [200, 400, 401, 403, 404, 409, 422, 501])
def test_other_statuses_are_never_retried(status: int) -> None:
    assert not should_retry("GET", status_code=status, retry_non_idempotent=True)


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_writes_are_retried_on_status_only_when_the_caller_opts_in(method: str) -> None:
    assert not should_retry(method, status_code=503)
    assert not should_retry(method, status_code=429)
    assert should_retry(method, status_code=503, retry_non_idempotent=True)


request = httpx.Request("POST", "https://us.posthog.com/api/")


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("refused", request=request),
        httpx.ConnectTimeout("slow connect", request=request),
        httpx.PoolTimeout("pool full", request=request),
    ],
)
def test_a_write_is_retried_when_it_provably_never_left(error: Exception) -> None:
    assert should_retry("POST", error=error)


@pytest.mark.parametrize(
    "error",
    [
        httpx.ReadTimeout("slow answer", request=request),
        httpx.WriteTimeout("slow upload", request=request),
        httpx.ReadError("reset", request=request),
        httpx.RemoteProtocolError("disconnected", request=request),
    ],
)
def test_a_write_is_not_retried_when_the_server_may_have_seen_it(error: Exception) -> None:
    assert not should_retry("POST", error=error)
    assert should_retry("POST", error=error, retry_non_idempotent=True)
    assert should_retry("GET", error=error)


def test_non_transport_errors_are_never_retried() -> None:
    assert not should_retry("GET", error=httpx.DecodingError("bad gzip", request=request))


def test_retry_after_in_seconds_and_as_an_http_date() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    in_ten_seconds = format_datetime(datetime(2025, 1, 1, 12, 0, 10, tzinfo=UTC), usegmt=True)
    assert parse_retry_after("1") == 1.0
    assert parse_retry_after("2.5") == 2.5
    assert parse_retry_after(in_ten_seconds, now=now.timestamp()) == 10.0
    assert parse_retry_after("Wed, 01 Jan 2025 11:59:00 GMT", now=now.timestamp()) == 0.0


@pytest.mark.parametrize("value", [None, "", "soon", "nan", "inf", "Wed, 99 Foo 2025"])
def test_unusable_retry_after_is_ignored(value: str | None) -> None:
    assert parse_retry_after(value) is None


def test_negative_retry_after_means_now() -> None:
    assert parse_retry_after("-5") == 0.0


def test_retry_after_is_honoured_but_capped() -> None:
    assert retry_delay(0, 1.0) == 1.0
    assert retry_delay(0, 3600.0) == MAX_RETRY_AFTER


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    assert retry_delay(0, None, jitter=0.0) == 0.5
    assert retry_delay(1, None, jitter=0.0) == 1.0
    assert retry_delay(2, None, jitter=1.0) == 1.5
    assert retry_delay(10, None, jitter=0.0) == MAX_RETRY_DELAY
    assert retry_delay(10_000, None, jitter=0.0) == MAX_RETRY_DELAY
    for _ in range(100):
        assert 0.375 <= retry_delay(0, None) <= 0.5


class Color(enum.Enum):
    RED = "red"


def test_query_encoding() -> None:
    query = {
        "limit": 10,
        "search": None,
        "missing": UNSET,
        "tags": ["a", "b"],
        "ids": (1, 2),
        "archived": False,
        "pinned": True,
        "color": Color.RED,
        "after": date(2025, 1, 2),
        "before": datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
    }
    assert encode_query(query) == (
        ("limit", "10"),
        ("tags", "a"),
        ("tags", "b"),
        ("ids", "1"),
        ("ids", "2"),
        ("archived", "false"),
        ("pinned", "true"),
        ("color", "red"),
        ("after", "2025-01-02"),
        ("before", "2025-01-02T03:04:05+00:00"),
    )


def test_redacted_headers_hide_credentials_and_anything_holding_the_key() -> None:
    headers = {"Authorization": "Bearer k3y", "X-Custom": "prefix-k3y", "Accept": "json"}
    assert redact_headers(headers, "k3y") == {
        "Authorization": "<redacted>",
        "X-Custom": "<redacted>",
        "Accept": "json",
    }
