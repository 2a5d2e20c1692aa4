"""The HTTP engine under the generated clients: configuration, retries, errors and logging.

Everything that decides (what to send, whether to retry, how long to wait, which error to raise)
is a plain function or lives on _BaseClient. SyncAPIClient and AsyncAPIClient only do the IO,
so the two request loops stay a few lines each and cannot drift apart.
"""

import asyncio
import email.utils
import enum
import json
import logging
import math
import os
import random
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

import httpx

from ._constants import (
    CLIENT_VERSION,
    DEFAULT_HOST,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    ENV_PREFIX,
    IDEMPOTENT_METHODS,
    INITIAL_RETRY_DELAY,
    MAX_RETRY_AFTER,
    MAX_RETRY_DELAY,
    PACKAGE,
    RETRYABLE_STATUS_CODES,
)
from ._exceptions import APIConnectionError, APITimeoutError, ConfigurationError, make_status_error
from ._models import Drift, Parse
from ._pagination import AsyncPage, SyncPage
from ._response import APIResponse, elapsed_of
from ._types import UNSET, RequestOptions, ResponseFormat, Timeout, Unset

__all__ = ["AsyncAPIClient", "SyncAPIClient"]

T = TypeVar("T")
_HttpClientT = TypeVar("_HttpClientT", httpx.Client, httpx.AsyncClient)

log = logging.getLogger(PACKAGE)

_NOTHING_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Transport errors raised before any byte of the request left: even a POST may be repeated."""

_SECRET_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization", "x-api-key"})


def _should_retry(
    method: str,
    *,
    status_code: int | None = None,
    error: Exception | None = None,
    retry_non_idempotent: bool = False,
) -> bool:
    """Whether a failed attempt (a status or a transport error) may be repeated safely.

    A write is repeated only if the server provably never saw it, or the caller opted in:
    a POST that timed out while reading the response may well have created the object.
    """
    if error is not None:
        if isinstance(error, _NOTHING_SENT):
            return True
        if not isinstance(error, httpx.TransportError):
            return False
    elif status_code not in RETRYABLE_STATUS_CODES:
        return False
    return retry_non_idempotent or method.upper() in IDEMPOTENT_METHODS


def _parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait per a Retry-After header (delay-seconds or HTTP-date); None if unusable."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:  # "-0000" parses as naive; HTTP dates are always GMT
            when = when.replace(tzinfo=UTC)
        seconds = when.timestamp() - (time.time() if now is None else now)
    if not math.isfinite(seconds):
        return None
    return max(seconds, 0.0)


def _retry_delay(
    retries_taken: int, retry_after: float | None, *, jitter: float | None = None
) -> float:
    """Seconds before the next attempt: the server's Retry-After (capped) if it gave one, else
    exponential backoff minus up to 25% random jitter, so many clients do not retry in lockstep.
    """
    if retry_after is not None:
        return min(retry_after, MAX_RETRY_AFTER)
    backoff = min(INITIAL_RETRY_DELAY * 2.0 ** min(retries_taken, 32), MAX_RETRY_DELAY)
    return backoff * (1.0 - 0.25 * (random.random() if jitter is None else jitter))


def _encode_query(query: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    """Query pairs as PostHog expects them: None/UNSET dropped, lists repeated, bools lowercase."""
    pairs: list[tuple[str, str]] = []
    for key, value in query.items():
        for one in value if isinstance(value, list | tuple) else (value,):
            if one is not None and not isinstance(one, Unset):
                pairs.append((key, _query_value(one)))
    return tuple(pairs)


def _query_value(value: object) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"


@dataclass(frozen=True)
class _BodyArguments:
    """What httpx.build_request needs to send one body; None where not used."""

    content: bytes | None = None
    data: dict[str, list[str]] | None = None
    files: list[tuple[str, Any]] | None = None
    content_type: str | None = None  # None: httpx sets it (form, multipart boundary)


def _encode_body(body: object, content_type: str) -> _BodyArguments:
    """`body` as the operation's media type: JSON, a form, multipart parts, or raw bytes/text."""
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        text = json.dumps(body, separators=(",", ":"), allow_nan=False)
        return _BodyArguments(content=text.encode(), content_type=content_type)
    if media_type == _FORM:
        return _BodyArguments(data=_form_fields(body))
    if media_type == _MULTIPART:
        return _BodyArguments(files=_multipart_parts(body))
    return _BodyArguments(content=_raw_content(body), content_type=content_type)


def _field_items(body: object) -> list[tuple[str, object]]:
    """(name, value) pairs of a form-like body, a list value repeating its name."""
    if not isinstance(body, Mapping):
        raise TypeError(f"a form body must be a mapping, got {type(body).__name__}")
    return [
        (str(name), one)
        for name, value in body.items()
        for one in (value if isinstance(value, list | tuple) and not _is_file(value) else [value])
        if one is not None and not isinstance(one, Unset)
    ]


def _form_fields(body: object) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for name, value in _field_items(body):
        fields.setdefault(name, []).append(_form_text(value))
    return fields


def _multipart_parts(body: object) -> list[tuple[str, Any]]:
    """Uploads (bytes, files, (filename, content) tuples) as file parts, the rest as text parts."""
    return [
        (name, value if _is_file(value) else (None, _form_text(value).encode()))
        for name, value in _field_items(body)
    ]


def _is_file(value: object) -> bool:
    return isinstance(value, bytes | bytearray | tuple) or hasattr(value, "read")


def _form_text(value: object) -> str:
    """A form field's text: scalars as in a query, objects and lists of objects as JSON."""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), allow_nan=False)
    return _query_value(value)


def _raw_content(body: object) -> bytes:
    """A non-JSON, non-form body: bytes as they are, text as UTF-8, a file read whole."""
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    if isinstance(body, str):
        return body.encode()
    read = getattr(body, "read", None)
    if callable(read):
        data = read()
        return data.encode() if isinstance(data, str) else bytes(data)
    raise TypeError(f"expected bytes, str or a binary file, got {type(body).__name__}")


def _redact_headers(headers: Mapping[str, str], secret: str) -> dict[str, str]:
    """Headers safe to log: credentials, and any value containing the key, become <redacted>."""
    return {
        name: "<redacted>" if name.lower() in _SECRET_HEADERS or secret in value else value
        for name, value in headers.items()
    }


def _env(name: str) -> str | None:
    return os.environ.get(ENV_PREFIX + name) or None


def _check_host(host: str) -> str:
    try:
        url = httpx.URL(host)
    except httpx.InvalidURL:
        url = httpx.URL()
    if url.scheme not in ("http", "https") or not url.host or url.query or url.fragment:
        raise ConfigurationError(
            f"host {host!r} is not an http(s) base URL: pass host=... or set {ENV_PREFIX}HOST"
        )
    return host.rstrip("/")


class _BaseClient(Generic[_HttpClientT]):
    """Configuration and every decision of the request loop; subclasses add only the IO."""

    _http: _HttpClientT

    def __init__(
        self,
        *,
        api_key: str | None,
        host: str | None,
        default_path_params: Mapping[str, str | int | None] | None,
        timeout: Timeout,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        strict_response_validation: bool,
    ) -> None:
        api_key = api_key or _env("PERSONAL_API_KEY")
        if not api_key:
            raise ConfigurationError(
                f"no api_key: pass api_key=... to {type(self).__name__}() "
                f"or set {ENV_PREFIX}PERSONAL_API_KEY"
            )
        if max_retries < 0:
            raise ConfigurationError(f"max_retries must be 0 or more, got {max_retries}")
        self._api_key = api_key
        self.host = _check_host(host or _env("HOST") or DEFAULT_HOST)
        self.timeout = httpx.Timeout(DEFAULT_TIMEOUT if timeout is None else timeout)
        self.max_retries = max_retries
        self.strict_response_validation = strict_response_validation
        self.default_path_params: dict[str, str | int | None] = {
            name: _env(name.upper()) if value is None else value
            for name, value in (default_path_params or {}).items()
        }
        self._headers = httpx.Headers(
            {
                "Accept": "application/json",
                "User-Agent": f"{PACKAGE}/{CLIENT_VERSION} python-httpx/{httpx.__version__}",
            }
        )
        self._headers.update(default_headers or {})
        self._headers["Authorization"] = f"Bearer {api_key}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(host={self.host!r}, api_key='<redacted>')"

    def _strict(self, options: RequestOptions) -> bool:
        """Strict decoding raises on any disagreement with the spec; the default records it."""
        return options.get("strict_response_validation", self.strict_response_validation)

    def path_param(self, name: str, value: str | int | None) -> str:
        """A path segment: the argument, else the client default, URL-quoted so "a/b" stays one."""
        if value is None or value == "":
            value = self.default_path_params.get(name)
        if value is None or value == "":
            raise ConfigurationError(
                f"no {name}: pass {name}=... to {type(self).__name__}() or the method, "
                f"or set {ENV_PREFIX}{name.upper()}"
            )
        return urllib.parse.quote(str(value), safe="")

    def _build_request(
        self,
        method: str,
        path: str,
        query: Mapping[str, object] | None,
        body: object,
        options: RequestOptions,
        content_type: str = "application/json",
    ) -> httpx.Request:
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/', got {path!r}")
        url = httpx.URL(self.host + path)  # a next-page path brings its own query string
        query = {**(query or {}), **options.get("extra_query", {})}
        headers = self._headers.copy()
        headers.update(options.get("extra_headers", {}))
        encoded = _BodyArguments()
        if not isinstance(body, Unset):
            encoded = _encode_body(body, content_type)
            if encoded.content_type is not None:
                headers["Content-Type"] = encoded.content_type
        request = self._http.build_request(
            method.upper(),
            url,
            params=url.params.merge(_encode_query(query)),
            headers=headers,
            content=encoded.content,
            data=encoded.data,
            files=encoded.files,
            timeout=httpx.Timeout(options["timeout"]) if "timeout" in options else self.timeout,
        )
        if log.isEnabledFor(logging.DEBUG):
            redacted = _redact_headers(request.headers, self._api_key)
            log.debug("%s %s headers=%s", request.method, request.url, redacted)
        return request

    def _delay_after_response(
        self, response: httpx.Response, options: RequestOptions, retries_taken: int
    ) -> float | None:
        """None when the response is a success; seconds to wait before retrying; else raises."""
        request = response.request
        log.debug(
            "%s %s -> %d in %.3fs (retries taken: %d)",
            request.method,
            request.url,
            response.status_code,
            elapsed_of(response).total_seconds(),
            retries_taken,
        )
        if response.is_success:
            return None
        if self._may_retry(request, options, retries_taken, status_code=response.status_code):
            retry_after = _parse_retry_after(response.headers.get("Retry-After"))
            return self._log_retry(request, retries_taken, _retry_delay(retries_taken, retry_after))
        raise make_status_error(response)

    def _delay_after_error(
        self,
        request: httpx.Request,
        error: httpx.RequestError,
        options: RequestOptions,
        retries_taken: int,
    ) -> float:
        """Seconds to wait before retrying after a transport error; raises when giving up."""
        failure = f"{request.method} {request.url} failed: {type(error).__name__}: {error}"
        log.debug("%s (retries taken: %d)", failure, retries_taken)
        if self._may_retry(request, options, retries_taken, error=error):
            return self._log_retry(request, retries_taken, _retry_delay(retries_taken, None))
        if isinstance(error, httpx.TimeoutException):
            raise APITimeoutError(failure, request=request) from error
        raise APIConnectionError(failure, request=request) from error

    def _may_retry(
        self,
        request: httpx.Request,
        options: RequestOptions,
        retries_taken: int,
        *,
        status_code: int | None = None,
        error: Exception | None = None,
    ) -> bool:
        return retries_taken < options.get("max_retries", self.max_retries) and _should_retry(
            request.method,
            status_code=status_code,
            error=error,
            retry_non_idempotent=options.get("retry_non_idempotent", False),
        )

    def _log_retry(self, request: httpx.Request, retries_taken: int, delay: float) -> float:
        log.debug(
            "retrying %s %s in %.2fs (retry %d)",
            request.method,
            request.url,
            delay,
            retries_taken + 1,
        )
        return delay


def _check_http_args(http_client: object, transport: object) -> None:
    if http_client is not None and transport is not None:
        raise ConfigurationError(
            "pass either http_client or transport, not both: set the transport on your http_client"
        )


class SyncAPIClient(_BaseClient[httpx.Client]):
    """Blocking client; subclassed by the generated PostHog class."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        host: str | None = None,
        default_path_params: Mapping[str, str | int | None] | None = None,
        timeout: Timeout = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        default_headers: Mapping[str, str] | None = None,
        strict_response_validation: bool = False,
    ) -> None:
        """timeout=None means the default of 60 s; pass httpx.Timeout(None) for no timeout."""
        super().__init__(
            api_key=api_key,
            host=host,
            default_path_params=default_path_params,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            strict_response_validation=strict_response_validation,
        )
        _check_http_args(http_client, transport)
        self._owns_http = http_client is None
        self._http = (
            http_client
            if http_client is not None
            else httpx.Client(transport=transport, timeout=self.timeout)
        )
        self._sleep: Callable[[float], None] = time.sleep

    def request(
        self,
        *,
        method: str,
        path: str,
        query: Mapping[str, object] | None = None,
        body: object = UNSET,
        options: RequestOptions | None = None,
        parse: Parse[T],
        content_type: str = "application/json",
        response_format: ResponseFormat = "json",
    ) -> APIResponse[T]:
        """Send, retrying what is safe to retry; a non-2xx answer raises an APIStatusError.

        `content_type` says how `body` is sent (JSON, form, multipart or raw bytes) and
        `response_format` how the answer is read (JSON, text or bytes).
        """
        options = options or {}
        request = self._build_request(method, path, query, body, options, content_type)
        retries_taken = 0
        while True:
            try:
                response = self._http.send(request)
            except httpx.RequestError as error:
                delay = self._delay_after_error(request, error, options, retries_taken)
            else:
                maybe_delay = self._delay_after_response(response, options, retries_taken)
                if maybe_delay is None:
                    return APIResponse(
                        response,
                        parse=parse,
                        strict=self._strict(options),
                        retries_taken=retries_taken,
                        response_format=response_format,
                    )
                delay = maybe_delay
            self._sleep(delay)
            retries_taken += 1

    def request_page(
        self,
        *,
        method: str,
        path: str,
        query: Mapping[str, object] | None = None,
        options: RequestOptions | None = None,
        item: Parse[T],
    ) -> APIResponse[SyncPage[T]]:
        """A DRF limit/offset page whose results are parsed with `item`."""

        def parse(
            data: Any, *, strict: bool = False, path: str = "$", drift: list[Drift] | None = None
        ) -> SyncPage[T]:
            return SyncPage(
                data, client=self, item=item, options=options, strict=strict, drift=drift
            )

        return self.request(method=method, path=path, query=query, options=options, parse=parse)

    def close(self) -> None:
        """Close the connection pool, unless it belongs to an http_client the caller passed in."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncAPIClient(_BaseClient[httpx.AsyncClient]):
    """Asyncio/trio client; subclassed by the generated AsyncPostHog class."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        host: str | None = None,
        default_path_params: Mapping[str, str | int | None] | None = None,
        timeout: Timeout = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        default_headers: Mapping[str, str] | None = None,
        strict_response_validation: bool = False,
    ) -> None:
        """timeout=None means the default of 60 s; pass httpx.Timeout(None) for no timeout."""
        super().__init__(
            api_key=api_key,
            host=host,
            default_path_params=default_path_params,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            strict_response_validation=strict_response_validation,
        )
        _check_http_args(http_client, transport)
        self._owns_http = http_client is None
        self._http = (
            http_client
            if http_client is not None
            else httpx.AsyncClient(transport=transport, timeout=self.timeout)
        )
        self._sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def request(
        self,
        *,
        method: str,
        path: str,
        query: Mapping[str, object] | None = None,
        body: object = UNSET,
        options: RequestOptions | None = None,
        parse: Parse[T],
        content_type: str = "application/json",
        response_format: ResponseFormat = "json",
    ) -> APIResponse[T]:
        """Send, retrying what is safe to retry; a non-2xx answer raises an APIStatusError.

        `content_type` says how `body` is sent (JSON, form, multipart or raw bytes) and
        `response_format` how the answer is read (JSON, text or bytes).
        """
        options = options or {}
        request = self._build_request(method, path, query, body, options, content_type)
        retries_taken = 0
        while True:
            try:
                response = await self._http.send(request)
            except httpx.RequestError as error:
                delay = self._delay_after_error(request, error, options, retries_taken)
            else:
                maybe_delay = self._delay_after_response(response, options, retries_taken)
                if maybe_delay is None:
                    return APIResponse(
                        response,
                        parse=parse,
                        strict=self._strict(options),
                        retries_taken=retries_taken,
                        response_format=response_format,
                    )
                delay = maybe_delay
            await self._sleep(delay)
            retries_taken += 1

    async def request_page(
        self,
        *,
        method: str,
        path: str,
        query: Mapping[str, object] | None = None,
        options: RequestOptions | None = None,
        item: Parse[T],
    ) -> APIResponse[AsyncPage[T]]:
        """A DRF limit/offset page whose results are parsed with `item`."""

        def parse(
            data: Any, *, strict: bool = False, path: str = "$", drift: list[Drift] | None = None
        ) -> AsyncPage[T]:
            return AsyncPage(
                data, client=self, item=item, options=options, strict=strict, drift=drift
            )

        return await self.request(
            method=method, path=path, query=query, options=options, parse=parse
        )

    async def aclose(self) -> None:
        """Close the connection pool, unless it belongs to an http_client the caller passed in."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
