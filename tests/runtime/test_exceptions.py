"""Status errors: one class per status, PostHog's error fields, and a readable message."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from posthog_api import _exceptions
from posthog_api._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    InternalServerError,
    MethodNotAllowedError,
    NotFoundError,
    PermissionDeniedError,
    PostHogError,
    RateLimitError,
    ResponseValidationError,
    UnprocessableEntityError,
    UnsafeNextPageError,
    make_status_error,
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
