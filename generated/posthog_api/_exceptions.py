"""Exceptions raised by posthog_api; catch PostHogError to catch them all.

PostHogError
+-- ConfigurationError          missing api key or path parameter, bad host: fix the setup
+-- ResponseValidationError     a 2xx response did not have the shape the spec promised
+-- UnsafeNextPageError         a page's `next` link points away from the configured host
+-- APIConnectionError          no response: DNS, refused or reset connection
|   +-- APITimeoutError
+-- APIStatusError              the server answered with a non-2xx status
    +-- BadRequestError             400
    +-- AuthenticationError         401
    +-- PermissionDeniedError       403
    +-- NotFoundError               404
    +-- MethodNotAllowedError       405
    +-- ConflictError               409
    +-- UnprocessableEntityError    422
    +-- RateLimitError              429
    +-- InternalServerError         500 and above

None of them ever includes the API key: messages are built from the method, URL and response only.
"""

import json
from typing import Literal

import httpx

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "InternalServerError",
    "MethodNotAllowedError",
    "NotFoundError",
    "PermissionDeniedError",
    "PostHogError",
    "RateLimitError",
    "ResponseValidationError",
    "UnprocessableEntityError",
    "UnsafeNextPageError",
    "make_status_error",
]


class PostHogError(Exception):
    """Base of every exception raised by this package."""


class ConfigurationError(PostHogError):
    """The client lacks a setting; the message names the argument and the environment variable."""


class ResponseValidationError(PostHogError):
    """A successful response did not have the expected shape; `path` points into the JSON."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(f"{path}: {message}")
        self.message = message
        self.path = path


class UnsafeNextPageError(PostHogError):
    """Following this `next` link would send the API key to another scheme, host or port."""


class APIConnectionError(PostHogError):
    """The request got no HTTP response at all."""

    def __init__(self, message: str, *, request: httpx.Request) -> None:
        super().__init__(message)
        self.request = request
        self.method = request.method
        self.url = str(request.url)


class APITimeoutError(APIConnectionError):
    """Connecting, sending or reading took longer than the timeout."""


class APIStatusError(PostHogError):
    """A non-2xx response, with PostHog's error fields when the body is its error JSON.

    PostHog answers errors with {"type", "code", "detail", "attr"}; those become attributes,
    or None when the body is something else (an HTML page from a proxy, say).
    """

    status_code: int

    def __init__(self, message: str, *, response: httpx.Response) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code
        self.method = response.request.method
        self.url = str(response.request.url)
        self.headers = response.headers
        self.body = response.text
        fields = _error_fields(self.body)
        self.type = fields.get("type")
        self.code = fields.get("code")
        self.detail = fields.get("detail")
        self.attr = fields.get("attr")


class BadRequestError(APIStatusError):
    status_code: Literal[400] = 400


class AuthenticationError(APIStatusError):
    status_code: Literal[401] = 401


class PermissionDeniedError(APIStatusError):
    status_code: Literal[403] = 403


class NotFoundError(APIStatusError):
    status_code: Literal[404] = 404


class MethodNotAllowedError(APIStatusError):
    status_code: Literal[405] = 405


class ConflictError(APIStatusError):
    status_code: Literal[409] = 409


class UnprocessableEntityError(APIStatusError):
    status_code: Literal[422] = 422


class RateLimitError(APIStatusError):
    status_code: Literal[429] = 429


class InternalServerError(APIStatusError):
    """Any 5xx: the server, or a proxy in front of it, failed."""


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    405: MethodNotAllowedError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def make_status_error(response: httpx.Response) -> APIStatusError:
    """The exception for a non-2xx response: its status's class, InternalServerError for 5xx."""
    status = response.status_code
    error_class = _STATUS_ERRORS.get(status)
    if error_class is None:
        error_class = InternalServerError if status >= 500 else APIStatusError
    request = response.request
    message = f"{status} {response.reason_phrase} from {request.method} {request.url}"
    fields = _error_fields(response.text)
    if "detail" in fields:
        message += f": {fields['detail']}"
    if "attr" in fields:
        message += f" (attr: {fields['attr']})"
    return error_class(message, response=response)


def _error_fields(body: str) -> dict[str, str]:
    """The string fields of PostHog's error JSON; empty for any other body."""
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        key: value
        for key in ("type", "code", "detail", "attr")
        if isinstance(value := data.get(key), str)
    }
