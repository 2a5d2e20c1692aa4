"""Pages of DRF limit/offset lists, with lazy auto-paging that never leaves the configured host."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._constants import MAX_DETAIL_LENGTH
from ._exceptions import PostHogError, ResponseValidationError, one_line
from ._models import Drift, Parse, parse_each
from ._routes import next_page_path
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
        url: str | None = None,
    ) -> None:
        if not isinstance(raw, dict):
            raise ResponseValidationError(f"expected a page object, got {_kind(raw)}", path="$")
        results = raw.get("results")
        if not isinstance(results, list):
            raise ResponseValidationError(
                f"expected a list, got {_kind(results)}", path="$.results"
            )
        self.results: list[T] = parse_each(
            item, results, strict=strict, path="$.results", drift=drift
        )
        self.count: int | None = _optional(raw, "count", int)
        self.next: str | None = _optional(raw, "next", str)
        self.previous: str | None = _optional(raw, "previous", str)
        self._item = item
        self._options = options
        self._url = url
        """Where this page came from: a relative `next` link resolves against it."""

    def has_next_page(self) -> bool:
        """False on `next: null`, and on an empty page so a server bug cannot loop forever."""
        return self.next is not None and len(self.results) > 0

    def _next_path(self, base_url: str) -> str:
        if self.next is None:
            raise PostHogError("this is the last page: check has_next_page() first")
        return next_page_path(self.next, base_url, self._url)

    def __repr__(self) -> str:
        shown = None if self.next is None else one_line(self.next, limit=MAX_DETAIL_LENGTH)
        return (
            f"{type(self).__name__}(count={self.count}, results=<{len(self.results)} items>, "
            f"next={shown!r})"
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
        url: str | None = None,
    ) -> None:
        super().__init__(raw, item=item, options=options, strict=strict, drift=drift, url=url)
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
        url: str | None = None,
    ) -> None:
        super().__init__(raw, item=item, options=options, strict=strict, drift=drift, url=url)
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
            for value in page.results:  # an async generator cannot `yield from`
                yield value
            if not page.has_next_page():
                return
            _check_progress(page, seen)
            page = await page.next_page()

    def __aiter__(self) -> AsyncIterator[T]:
        return self.iter_all()


def _check_progress(page: _BasePage[Any], seen: set[str]) -> None:
    """A `next` link seen before means the server is sending us in circles."""
    next_url = page.next
    if next_url is None:
        return
    if next_url in seen:
        shown = one_line(next_url, limit=MAX_DETAIL_LENGTH)
        raise ResponseValidationError(f"next page '{shown}' was already fetched", path="$.next")
    seen.add(next_url)


def _optional(raw: dict[str, Any], key: str, kind: type[Any]) -> Any:
    value = raw.get(key)
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
        raise ResponseValidationError(
            f"expected {kind.__name__} or null, got {_kind(value)}", path=f"$.{key}"
        )
    return value


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__
