"""APIResponse: the raw HTTP response plus a lazily parsed, typed body.

Resource methods end in `response.deliver()`: the parsed body normally, or the APIResponse
itself when the call came through `.with_raw_response`, whose wrappers below set a context
variable. That way each method is written once and still has both typed forms.
"""

import contextvars
import functools
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Generic, ParamSpec, TypeVar, cast

import httpx

from ._exceptions import ResponseValidationError
from ._models import Drift, Parse
from ._types import ResponseFormat

T = TypeVar("T")
P = ParamSpec("P")

_raw_response_wanted: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "_raw_response_wanted", default=False
)


class APIResponse(Generic[T]):
    """A successful response; `parse()` decodes and validates the body on first use only."""

    def __init__(
        self,
        http_response: httpx.Response,
        *,
        parse: Parse[T],
        retries_taken: int,
        response_format: ResponseFormat = "json",
        strict: bool = False,
    ) -> None:
        self.http_response = http_response
        self.retries_taken = retries_taken
        self.drift: list[Drift] = []
        """Where the body disagreed with the spec (filled by parse(); empty when strict)."""
        self._strict = strict
        self._parse = parse
        self._format = response_format
        self._parsed: tuple[T] | None = None

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def url(self) -> str:
        return str(self.http_response.request.url)

    @property
    def method(self) -> str:
        return self.http_response.request.method

    @property
    def elapsed(self) -> timedelta:
        return elapsed_of(self.http_response)

    def parse(self) -> T:
        """The body as the operation's type.

        A field that disagrees with the spec is kept as sent and recorded in `drift`; with
        strict response validation it raises ResponseValidationError instead. A body that is
        not JSON at all always raises.
        """
        if self._parsed is None:
            body = read_body(self.http_response, self._format)
            self._parsed = (self._parse(body, strict=self._strict, drift=self.drift),)
        return self._parsed[0]

    def deliver(self) -> T:
        """What a resource method returns: the parsed body, or (raw mode) this response."""
        if _raw_response_wanted.get():
            return cast(T, self)
        return self.parse()

    def __repr__(self) -> str:
        return f"<APIResponse [{self.status_code}] {self.method} {self.url}>"


def to_raw_response_wrapper(method: Callable[P, T]) -> Callable[P, APIResponse[T]]:
    """`resource.with_raw_response.x(...)`: call `x`, but return its whole APIResponse."""

    @functools.wraps(method)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[T]:
        token = _raw_response_wanted.set(True)
        try:
            return cast(APIResponse[T], method(*args, **kwargs))
        finally:
            _raw_response_wanted.reset(token)

    return wrapped


def async_to_raw_response_wrapper(
    method: Callable[P, Awaitable[T]],
) -> Callable[P, Awaitable[APIResponse[T]]]:
    """The async form of `to_raw_response_wrapper`."""

    @functools.wraps(method)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[T]:
        token = _raw_response_wanted.set(True)
        try:
            return cast(APIResponse[T], await method(*args, **kwargs))
        finally:
            _raw_response_wanted.reset(token)

    return wrapped


def read_body(response: httpx.Response, response_format: ResponseFormat) -> Any:
    """The body as the operation documents it: decoded JSON, text, or raw bytes."""
    if response_format == "bytes":
        return response.content
    if response_format == "text":
        return response.text
    return decode_json(response)


def decode_json(response: httpx.Response) -> Any:
    """The JSON body, None when empty (204); invalid JSON is a ResponseValidationError at "$"."""
    if not response.content.strip():
        return None
    try:
        return json.loads(response.content)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError both derive from it
        raise ResponseValidationError(
            f"response body is not valid JSON ({exc})", path="$"
        ) from None


def elapsed_of(response: httpx.Response) -> timedelta:
    """response.elapsed, or zero for responses a MockTransport built already closed."""
    try:
        return response.elapsed
    except RuntimeError:  # httpx stamps elapsed when it closes the stream it read
        return timedelta(0)
