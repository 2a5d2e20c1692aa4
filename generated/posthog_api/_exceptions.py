"""Exceptions raised by posthog_api; catch PostHogError to catch them all.

PostHogError
+-- ConfigurationError          missing or malformed api key or path parameter, bad host
+-- InvalidPathParameterError   a path parameter that would change the route (also a ValueError)
+-- ResponseValidationError     a 2xx response did not have the shape the spec promised
+-- ResponseTooLargeError       a response body larger than max_response_size
+-- UnsafeNextPageError         a page's `next` link leaves the configured host or its route
+-- APIConnectionError          no response: DNS, refused or reset connection
|   +-- APITimeoutError             a phase timed out, or the attempt passed its deadline
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

Every message is one printable line that never contains a credential: PostHogError redacts
each API key a client was built with and escapes control characters, whatever a server or
transport put into the text (a `detail` with newlines or ANSI codes cannot forge log lines).
"""

import json
import threading
from typing import Literal

import httpx

from ._constants import MAX_DETAIL_LENGTH

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "InternalServerError",
    "InvalidPathParameterError",
    "MethodNotAllowedError",
    "NotFoundError",
    "PermissionDeniedError",
    "PostHogError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "UnprocessableEntityError",
    "UnsafeNextPageError",
    "make_status_error",
    "one_line",
    "redact",
    "register_secret",
]

REDACTED = "<redacted>"
MIN_SECRET_LENGTH = 8
"""Shorter keys ("test") are placeholders, not secrets; redacting them would mangle words."""

_secrets: tuple[str, ...] = ()
_secrets_lock = threading.Lock()


def register_secret(secret: str) -> None:
    """Remember a credential, so that no message or log line of this package can show it."""
    global _secrets
    if len(secret) < MIN_SECRET_LENGTH:
        return
    with _secrets_lock:
        if secret not in _secrets:  # longest first: a key containing another goes whole
            _secrets = tuple(sorted((*_secrets, secret), key=len, reverse=True))


def redact(text: str) -> str:
    """`text` with every registered credential replaced by <redacted>."""
    for secret in _secrets:  # a tuple, replaced whole by register_secret: safe across threads
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def one_line(text: str, *, limit: int | None = None) -> str:
    """`text` as one printable line: credentials redacted, control and format characters
    (newlines, ANSI escapes, bidi overrides) escaped as `\\n`, `\\x1b`, and at most `limit`
    characters kept."""
    text = redact(text)
    if not text.isprintable():
        text = "".join(
            char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
            for char in text
        )
    if limit is not None and len(text) > limit:
        text = f"{text[:limit]}... ({len(text) - limit} more characters)"
    return text


class PostHogError(Exception):
    """Base of every exception raised by this package; its message is made safe by `one_line`."""

    def __init__(self, message: str = "") -> None:
        super().__init__(one_line(message))


class ConfigurationError(PostHogError):
    """A setting is missing or malformed; the message names the argument and the environment
    variable, never the value of a key."""


class InvalidPathParameterError(PostHogError, ValueError):
    """A path parameter that is empty, `.` or `..`, or holds a slash, backslash or control
    character (also percent-encoded): sent, it would make the server run another operation.
    The message names the parameter, not the value."""


class ResponseValidationError(PostHogError):
    """A successful response did not have the expected shape; `path` points into the JSON."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(f"{path}: {message}")
        self.message = message
        self.path = path


class ResponseTooLargeError(PostHogError):
    """The response body exceeded `max_response_size` bytes (decoded); reading stopped there."""

    def __init__(self, message: str, *, request: httpx.Request, limit: int) -> None:
        super().__init__(message)
        self.request = request
        self.limit = limit


class UnsafeNextPageError(PostHogError):
    """Following this `next` link would send the API key to another scheme, host, port or base
    path, or (through `..` or an encoded separator) to another operation."""


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
    or None when the body is something else (an HTML page from a proxy, say). The attributes
    and `body` are as the server sent them; the message shows `detail` and `attr` made safe.
    """

    status_code: int

    def __init__(self, message: str, *, response: httpx.Response) -> None:
        super().__init__(message)
        self.response = response
        self.request = response.request
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
        message += f": {one_line(fields['detail'], limit=MAX_DETAIL_LENGTH)}"
    if "attr" in fields:
        message += f" (attr: {one_line(fields['attr'], limit=MAX_DETAIL_LENGTH)})"
    return error_class(message, response=response)


def _error_fields(body: str) -> dict[str, str]:
    """The string fields of PostHog's error JSON; empty for any other body."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        key: value
        for key in ("type", "code", "detail", "attr")
        if isinstance(value := data.get(key), str)
    }
