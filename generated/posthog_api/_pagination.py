"""Pages of DRF limit/offset lists, with lazy auto-paging that never leaves the configured host."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import httpx

from ._exceptions import PostHogError, ResponseValidationError, UnsafeNextPageError
from ._models import Drift, Parse
from ._types import RequestOptions

if TYPE_CHECKING:
    from ._base_client import AsyncAPIClient, SyncAPIClient

T = TypeVar("T")


class _BasePage(Generic[T]):
    """One page {"count", "next", "previous", "results"}, with each result already parsed."""

    def __init__(
        self,
        raw: Any,
        *,
        item: Parse[T],
        options: RequestOptions | None,
        strict: bool = False,
        drift: list[Drift] | None = None,
    ) -> None:
        if not isinstance(raw, dict):
            raise ResponseValidationError(f"expected a page object, got {_kind(raw)}", path="$")
        results = raw.get("results")
        if not isinstance(results, list):
            raise ResponseValidationError(
                f"expected a list, got {_kind(results)}", path="$.results"
            )
        self.results: list[T] = [
            item(value, strict=strict, path=f"$.results[{index}]", drift=drift)
            for index, value in enumerate(results)
        ]
        self.count: int | None = _optional(raw, "count", int)
        self.next: str | None = _optional(raw, "next", str)
        self.previous: str | None = _optional(raw, "previous", str)
        self._item = item
        self._options = options

    def has_next_page(self) -> bool:
        """False on `next: null`, and on an empty page so a server bug cannot loop forever."""
        return self.next is not None and len(self.results) > 0

    def _next_path(self, base_url: str) -> str:
        if self.next is None:
            raise PostHogError("this is the last page: check has_next_page() first")
        return next_page_path(self.next, base_url)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(count={self.count}, results=<{len(self.results)} items>, "
            f"next={self.next!r})"
        )


class SyncPage(_BasePage[T]):
    """A page from SyncAPIClient; iterate it to get every item of every following page."""

    def __init__(
        self,
        raw: Any,
        *,
        client: SyncAPIClient,
        item: Parse[T],
        options: RequestOptions | None,
        strict: bool = False,
        drift: list[Drift] | None = None,
    ) -> None:
        super().__init__(raw, item=item, options=options, strict=strict, drift=drift)
        self._client = client

    def next_page(self) -> SyncPage[T]:
        """GETs `next` with the same client, options and item parser."""
        path = self._next_path(self._client.host)
        response = self._client.request_page(
            method="GET", path=path, options=self._options, item=self._item
        )
        return response.parse()

    def iter_all(self) -> Iterator[T]:
        """Every item from this page on, fetching each next page only when it is reached."""
        page: SyncPage[T] = self
        seen: set[str] = set()
        while True:
            yield from page.results
            if not page.has_next_page():
                return
            _check_progress(page, seen)
            page = page.next_page()

    def __iter__(self) -> Iterator[T]:
        return self.iter_all()


class AsyncPage(_BasePage[T]):
    """A page from AsyncAPIClient; `async for` over it yields every item of every page."""

    def __init__(
        self,
        raw: Any,
        *,
        client: AsyncAPIClient,
        item: Parse[T],
        options: RequestOptions | None,
        strict: bool = False,
        drift: list[Drift] | None = None,
    ) -> None:
        super().__init__(raw, item=item, options=options, strict=strict, drift=drift)
        self._client = client

    async def next_page(self) -> AsyncPage[T]:
        """GETs `next` with the same client, options and item parser."""
        path = self._next_path(self._client.host)
        response = await self._client.request_page(
            method="GET", path=path, options=self._options, item=self._item
        )
        return response.parse()

    async def iter_all(self) -> AsyncIterator[T]:
        """Every item from this page on, fetching each next page only when it is reached."""
        page: AsyncPage[T] = self
        seen: set[str] = set()
        while True:
            for value in page.results:
                yield value
            if not page.has_next_page():
                return
            _check_progress(page, seen)
            page = await page.next_page()

    def __aiter__(self) -> AsyncIterator[T]:
        return self.iter_all()


def next_page_path(next_url: str, base_url: str) -> str:
    """The path and query of `next_url` relative to `base_url`, which it must lie under.

    DRF builds `next` from the Host header the server saw; a misconfigured proxy or a hostile
    server could point it anywhere, and following it would hand the API key to that host.
    """
    base = httpx.URL(base_url)
    target = base.join(next_url)
    prefix = base.path.rstrip("/")
    path = target.raw_path.decode("ascii")
    same_origin = (target.scheme, target.host, target.port) == (base.scheme, base.host, base.port)
    if not same_origin or target.userinfo or not path.startswith(prefix + "/"):
        raise UnsafeNextPageError(
            f"refusing to follow next page {next_url!r}: it is not under {base_url}"
        )
    return path[len(prefix) :]


def _check_progress(page: _BasePage[Any], seen: set[str]) -> None:
    """A `next` link seen before means the server is sending us in circles."""
    if page.next in seen:
        raise ResponseValidationError(f"next page {page.next!r} was already fetched", path="$.next")
    if page.next is not None:
        seen.add(page.next)


def _optional(raw: dict[str, Any], key: str, kind: type[Any]) -> Any:
    value = raw.get(key)
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
        raise ResponseValidationError(
            f"expected {kind.__name__} or null, got {_kind(value)}", path=f"$.{key}"
        )
    return value


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__
