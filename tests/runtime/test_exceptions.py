"""Status errors: one class per status, PostHog's error fields, and a readable message."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from posthog_api import _exceptions
from posthog_api._constants import MAX_DETAIL_LENGTH
from posthog_api._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    InternalServerError,
    InvalidPathParameterError,
    MethodNotAllowedError,
    NotFoundError,
    PermissionDeniedError,
    PostHogError,
    RateLimitError,
    ResponseTooLargeError,
    ResponseValidationError,
    UnprocessableEntityError,
    UnsafeNextPageError,
    make_status_error,
    one_line,
)

URL = "https://us.posthog.com/api/projects/1/annotations/7/"


def response(status: int, **kwargs: Any) -> httpx.Response:
    return httpx.Response(status, request=httpx.Request("GET", URL), **kwargs)


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (405, MethodNotAllowedError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (599, InternalServerError),
        (418, APIStatusError),
        (302, APIStatusError),
    ],
)
def test_each_status_gets_its_class(status: int, error_class: type[APIStatusError]) -> None:
    error = make_status_error(response(status))
    assert type(error) is error_class
    assert error.status_code == status


def test_posthog_error_json_becomes_attributes_and_message() -> None:
    body = {
        "type": "validation_error",
        "code": "invalid_input",
        "detail": "Bad date.",
        "attr": "date_from",
    }
    error = make_status_error(response(400, json=body))
    assert (error.type, error.code, error.detail, error.attr) == (
        "validation_error",
        "invalid_input",
        "Bad date.",
        "date_from",
    )
    assert (error.method, error.url) == ("GET", URL)
    assert str(error) == f"400 Bad Request from GET {URL}: Bad date. (attr: date_from)"


def test_an_html_error_page_still_gets_the_right_class_and_no_fields() -> None:
    html = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    error = make_status_error(response(502, text=html, headers={"Content-Type": "text/html"}))
    assert isinstance(error, InternalServerError)
    assert (error.type, error.code, error.detail, error.attr) == (None, None, None, None)
    assert error.body == html
    assert error.headers["content-type"] == "text/html"
    assert str(error) == f"502 Bad Gateway from GET {URL}"


def test_the_tree_matches_the_module_docstring() -> None:
    assert issubclass(APITimeoutError, APIConnectionError)
    for error_class in (
        ConfigurationError,
        InvalidPathParameterError,
        ResponseTooLargeError,
        ResponseValidationError,
        UnsafeNextPageError,
        APIConnectionError,
        APIStatusError,
    ):
        assert issubclass(error_class, PostHogError)
        assert error_class.__name__ in (_exceptions.__doc__ or "")
    assert sorted(_exceptions.__all__) == _exceptions.__all__


def test_response_validation_error_carries_a_json_path() -> None:
    error = ResponseValidationError("expected a string, got int", path="$.results[3].created_at")
    assert error.path == "$.results[3].created_at"
    assert error.message == "expected a string, got int"
    assert str(error) == "$.results[3].created_at: expected a string, got int"


@pytest.mark.parametrize(
    ("detail", "shown"),
    [
        ("Bad.\nERROR forged log line", "Bad.\\nERROR forged log line"),
        ("Bad.\r\n\x1b[31mred\x1b[0m", "Bad.\\r\\n\\x1b[31mred\\x1b[0m"),
        ("evil\u202etxt.exe\x00", "evil\\u202etxt.exe\\x00"),
    ],
)
def test_a_detail_with_control_characters_is_escaped_in_the_message(
    detail: str, shown: str
) -> None:
    body = {"detail": detail, "attr": "a\nb"}
    error = make_status_error(response(400, json=body))
    assert str(error) == f"400 Bad Request from GET {URL}: {shown} (attr: a\\nb)"
    assert str(error).isprintable()
    assert (error.detail, error.attr) == (detail, "a\nb"), "the fields stay as sent"
    assert detail in error.response.json()["detail"]


def test_a_long_detail_is_capped_in_the_message_but_kept_in_the_body() -> None:
    detail = "x" * 5000
    error = make_status_error(response(400, json={"detail": detail}))
    assert str(error).endswith(f": {'x' * MAX_DETAIL_LENGTH}... (4500 more characters)")
    assert error.detail == detail
    assert detail in error.body


def test_every_message_is_one_printable_line() -> None:
    for error in (
        PostHogError("a\nb"),
        ResponseValidationError("got \x1b[2J", path="$.k\ney"),
        APIConnectionError("reset\r\n", request=httpx.Request("GET", URL)),
    ):
        assert str(error).isprintable(), repr(str(error))


def test_one_line_escapes_and_caps() -> None:
    assert one_line("plain") == "plain"
    assert one_line("tab\there") == "tab\\there"
    assert one_line("abcdef", limit=3) == "abc... (3 more characters)"


def test_status_and_connection_errors_carry_the_request() -> None:
    error = make_status_error(response(404))
    assert isinstance(error.request, httpx.Request)
    assert (error.request.method, str(error.request.url)) == ("GET", URL)
    request = httpx.Request("POST", URL)
    for connection_error in (
        APIConnectionError("down", request=request),
        APITimeoutError("slow", request=request),
    ):
        assert connection_error.request is request
