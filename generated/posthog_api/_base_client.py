"""SyncAPIClient and AsyncAPIClient: the IO of the request loop, around ClientCore (in _core).

Both are written once, in this module's template, and differ only where `await` does.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from ._config import AuthSpec, Credential, check_http_args
from ._constants import DEFAULT_MAX_RETRIES
from ._core import ClientCore
from ._models import Drift, Parse
from ._pagination import AsyncPage, SyncPage
from ._response import APIResponse, aread_limited, read_limited
from ._types import UNSET, RequestOptions, ResponseFormat, Timeout

__all__ = ["AsyncAPIClient", "SyncAPIClient"]

T = TypeVar("T")


class SyncAPIClient(ClientCore[httpx.Client]):
    """Blocking client; subclassed by the generated client class."""

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
        auth: AuthSpec | None = None,
        credentials: Mapping[str, Credential] | None = None,
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
            auth=auth,
            credentials=credentials,
        )
        check_http_args(http_client, transport)
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
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: object = UNSET,
        options: RequestOptions | None = None,
        parse: Parse[T],
        content_type: str = "application/json",
        response_format: ResponseFormat = "json",
    ) -> APIResponse[T]:
        """Send, retrying what is safe to retry; a non-2xx answer raises an APIStatusError.

        `path` is the spec's path template; each `{name}` is filled from `path_params` (see
        fill_path). `content_type` says how `body` is sent (JSON, form, multipart or raw bytes)
        and `response_format` how the answer is read (JSON, text or bytes).
        """
        options = options or {}
        filled = self.fill_path(path, path_params)
        request = self._build_request(
            method, filled, query, body, options, content_type, template=path
        )
        retries_taken = 0
        while True:
            outcome = self._attempt(request, options)
            if isinstance(outcome, httpx.RequestError):
                delay = self._delay_after_error(request, outcome, options, retries_taken)
            else:
                maybe_delay = self._delay_after_response(outcome, options, retries_taken)
                if maybe_delay is None:
                    return APIResponse(
                        outcome,
                        parse=parse,
                        strict=self._strict(options),
                        retries_taken=retries_taken,
                        response_format=response_format,
                    )
                delay = maybe_delay
            self._sleep(delay)
            retries_taken += 1

    def _attempt(
        self, request: httpx.Request, options: RequestOptions
    ) -> httpx.Response | httpx.RequestError:
        """One attempt: the response, its body read within the budget, or the transport error."""
        budget = self._budget(request, options)
        try:
            response = self._http.send(request, stream=True)
            return read_limited(response, budget)
        except httpx.RequestError as error:
            return error

    def request_page(
        self,
        *,
        method: str,
        path: str,
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        options: RequestOptions | None = None,
        item: Parse[T],
    ) -> APIResponse[SyncPage[T]]:
        """A DRF limit/offset page whose results are parsed with `item`."""

        def parse(
            data: Any, *, strict: bool = False, path: str = "$", drift: list[Drift] | None = None
        ) -> SyncPage[T]:
            # Runs lazily, after `response` below exists: a relative `next` needs the page URL.
            return SyncPage(
                data,
                client=self,
                item=item,
                options=options,
                strict=strict,
                drift=drift,
                url=response.url,
            )

        response = self.request(
            method=method,
            path=path,
            path_params=path_params,
            query=query,
            options=options,
            parse=parse,
        )
        return response

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


class AsyncAPIClient(ClientCore[httpx.AsyncClient]):
    """Asyncio/trio client; subclassed by the generated async client class."""

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
        auth: AuthSpec | None = None,
        credentials: Mapping[str, Credential] | None = None,
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
            auth=auth,
            credentials=credentials,
        )
        check_http_args(http_client, transport)
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
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: object = UNSET,
        options: RequestOptions | None = None,
        parse: Parse[T],
        content_type: str = "application/json",
        response_format: ResponseFormat = "json",
    ) -> APIResponse[T]:
        """Send, retrying what is safe to retry; a non-2xx answer raises an APIStatusError.

        `path` is the spec's path template; each `{name}` is filled from `path_params` (see
        fill_path). `content_type` says how `body` is sent (JSON, form, multipart or raw bytes)
        and `response_format` how the answer is read (JSON, text or bytes).
        """
        options = options or {}
        filled = self.fill_path(path, path_params)
        request = self._build_request(
            method, filled, query, body, options, content_type, template=path
        )
        retries_taken = 0
        while True:
            outcome = await self._attempt(request, options)
            if isinstance(outcome, httpx.RequestError):
                delay = self._delay_after_error(request, outcome, options, retries_taken)
            else:
                maybe_delay = self._delay_after_response(outcome, options, retries_taken)
                if maybe_delay is None:
                    return APIResponse(
                        outcome,
                        parse=parse,
                        strict=self._strict(options),
                        retries_taken=retries_taken,
                        response_format=response_format,
                    )
                delay = maybe_delay
            await self._sleep(delay)
            retries_taken += 1

    async def _attempt(
        self, request: httpx.Request, options: RequestOptions
    ) -> httpx.Response | httpx.RequestError:
        """One attempt: the response, its body read within the budget, or the transport error."""
        budget = self._budget(request, options)
        try:
            response = await self._http.send(request, stream=True)
            return await aread_limited(response, budget)
        except httpx.RequestError as error:
            return error

    async def request_page(
        self,
        *,
        method: str,
        path: str,
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        options: RequestOptions | None = None,
        item: Parse[T],
    ) -> APIResponse[AsyncPage[T]]:
        """A DRF limit/offset page whose results are parsed with `item`."""

        def parse(
            data: Any, *, strict: bool = False, path: str = "$", drift: list[Drift] | None = None
        ) -> AsyncPage[T]:
            # Runs lazily, after `response` below exists: a relative `next` needs the page URL.
            return AsyncPage(
                data,
                client=self,
                item=item,
                options=options,
                strict=strict,
                drift=drift,
                url=response.url,
            )

        response = await self.request(
            method=method,
            path=path,
            path_params=path_params,
            query=query,
            options=options,
            parse=parse,
        )
        return response

    async def aclose(self) -> None:
        """Close the connection pool, unless it belongs to an http_client the caller passed in."""
        if self._owns_http:
            await self._http.aclose()

    async def close(self) -> None:
        """The same as aclose(): `await client.close()`, like the sync client's close()."""
        await self.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
