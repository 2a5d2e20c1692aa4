"""APIResponse: the raw HTTP response plus a lazily parsed, typed body.

Resource methods end in `response.deliver()`: the parsed body normally, or the APIResponse
itself when the call came through `.with_raw_response`, whose wrappers below set a context
variable. That way each method is written once and still has both typed forms.

Bodies are read here too, within a BodyBudget: a deadline for the whole attempt and a size limit.
"""

import contextvars
import functools
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any, Generic, ParamSpec, TypeVar, cast

import httpx

from ._exceptions import ResponseTooLargeError, ResponseValidationError
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
            try:
                self._parsed = (self._parse(body, strict=self._strict, drift=self.drift),)
            except RecursionError:
                raise ResponseValidationError(_TOO_DEEP, path="$") from None
        return self._parsed[0]

    def deliver(self) -> T:
        """What a resource method returns: the parsed body, or (raw mode) this response."""
        if _raw_response_wanted.get():
            return cast(T, self)
        return self.parse()

    def __repr__(self) -> str:
        return f"<APIResponse [{self.status_code}] {self.method} {self.url}>"

    @property
    def request(self) -> httpx.Request:
        return self.http_response.request


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
    content = response.content
    if not content or content.isspace():  # what content.strip() removes, without a copy
        return None
    try:
        return json.loads(content)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError both derive from it
        raise ResponseValidationError(
            f"response body is not valid JSON ({exc})", path="$"
        ) from None
    except RecursionError:
        raise ResponseValidationError(_TOO_DEEP, path="$") from None


_TOO_DEEP = "response body is nested too deeply to decode"


class BodyBudget:
    """The limits one attempt's body is read under: a deadline and a size in bytes.

    httpx's read timeout applies to each read, so a server sending a byte a second never trips
    it; the deadline bounds the whole attempt, checked as each chunk arrives. The size is
    counted after decompression, so a small gzip bomb cannot fill the memory either.
    """

    def __init__(self, request: httpx.Request, *, deadline: float | None, max_size: int) -> None:
        self.request = request
        self.deadline = deadline
        """time.monotonic() value after which the attempt fails; None: no deadline."""
        self.max_size = max_size
        self.size = 0

    def check_headers(self, response: httpx.Response) -> None:
        """Refuse before reading when the declared Content-Length is already too large."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_size:
            self._too_large()
        self.check_time()

    def take(self, chunk: bytes) -> bytes:
        self.size += len(chunk)
        if self.size > self.max_size:
            self._too_large()
        self.check_time()
        return chunk

    def check_time(self) -> None:
        """A deadline passed is a read timeout: retried like one, raised as APITimeoutError."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise httpx.ReadTimeout(
                "the response did not arrive in full within the timeout", request=self.request
            )

    def _too_large(self) -> None:
        request = self.request
        raise ResponseTooLargeError(
            f"the response to {request.method} {request.url} is larger than max_response_size"
            f" ({self.max_size} bytes)",
            request=request,
            limit=self.max_size,
        )


def read_limited(response: httpx.Response, budget: BodyBudget) -> httpx.Response:
    """Read a streamed response's body within `budget`; the stream is closed either way."""
    try:
        budget.check_headers(response)
        if (
            isinstance(response.stream, httpx.SyncByteStream)
            and "Content-Encoding" not in response.headers
        ):
            # The body arrives as it is kept: httpx reads it, through a stream that counts
            # and times each chunk. A compressed one is counted below, as it is decoded.
            response.stream = _BudgetedStream(response.stream, budget)
            response.read()
            return response
        body = b"".join([budget.take(chunk) for chunk in response.iter_bytes()])
    finally:
        response.close()
    return _with_body(response, body)


class _BudgetedStream(httpx.SyncByteStream):
    """A response stream whose chunks `budget` counts and times as they arrive."""

    def __init__(self, stream: httpx.SyncByteStream, budget: BodyBudget) -> None:
        self._stream = stream
        self._budget = budget

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._stream:
            yield self._budget.take(chunk)

    def close(self) -> None:
        self._stream.close()


async def aread_limited(response: httpx.Response, budget: BodyBudget) -> httpx.Response:
    """The async form of `read_limited`."""
    try:
        budget.check_headers(response)
        if (
            isinstance(response.stream, httpx.AsyncByteStream)
            and "Content-Encoding" not in response.headers
        ):
            # The body arrives as it is kept: httpx reads it, through a stream that counts
            # and times each chunk. A compressed one is counted below, as it is decoded.
            response.stream = _BudgetedAsyncStream(response.stream, budget)
            await response.aread()
            return response
        body = b"".join([budget.take(chunk) async for chunk in response.aiter_bytes()])
    finally:
        await response.aclose()
    return _with_body(response, body)


class _BudgetedAsyncStream(httpx.AsyncByteStream):
    """A response stream whose chunks `budget` counts and times as they arrive."""

    def __init__(self, stream: httpx.AsyncByteStream, budget: BodyBudget) -> None:
        self._stream = stream
        self._budget = budget

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield self._budget.take(chunk)

    async def aclose(self) -> None:
        await self._stream.aclose()


def _with_body(streamed: httpx.Response, body: bytes) -> httpx.Response:
    """A read response with the decoded `body`, like the one httpx builds when not streaming."""
    headers = streamed.headers
    if "Content-Encoding" in headers:  # `body` is decoded already: do not decode it twice
        headers = httpx.Headers(
            [
                (name, value)
                for name, value in headers.raw
                if name.lower() not in (b"content-encoding", b"content-length")
            ]
        )
    response = httpx.Response(
        streamed.status_code,
        headers=headers,
        content=body,
        request=streamed.request,
        extensions=streamed.extensions,
        history=streamed.history,
        default_encoding=streamed.default_encoding,
    )
    response.elapsed = elapsed_of(streamed)
    return response


def elapsed_of(response: httpx.Response) -> timedelta:
    """response.elapsed, or zero for responses a MockTransport built already closed."""
    try:
        return response.elapsed
    except RuntimeError:  # httpx stamps elapsed when it closes the stream it read
        return timedelta(0)
