"""Route safety: no argument value and no `next` link can change which operation is called.

Quoting a path parameter is not enough: WSGI and ASGI servers decode `%2F` back into `/` before
routing, and proxies resolve `.` and `..` segments (some after decoding `%2e`, some twice). So a
value that would become an empty, `.` or `..` segment, or a path separator, once decoded any
number of times, is refused here rather than escaped.
"""

import re
import urllib.parse

import httpx

from ._constants import MAX_DETAIL_LENGTH
from ._exceptions import InvalidPathParameterError, UnsafeNextPageError, one_line

__all__ = ["changes_route", "fully_unquoted", "next_page_path", "path_segment"]

_DOT_SEGMENTS = frozenset({".", ".."})
_SEPARATORS = frozenset("/\\")
_PLAIN_SEGMENT = re.compile(r"[A-Za-z0-9_~-]+")
"""Ids, slugs and UUIDs: nothing to quote and nothing to check (no dot, no `%`, no separator)."""


def fully_unquoted(text: str) -> str:
    """`text` percent-decoded until nothing changes (`%252e` -> `%2e` -> `.`)."""
    while "%" in text:
        decoded = urllib.parse.unquote(text)
        if decoded == text:
            break
        text = decoded  # strictly shorter each time: the loop ends
    return text


def changes_route(segment: str) -> bool:
    """Whether `segment`, decoded, is `.` or `..`, or holds a separator or control character."""
    decoded = fully_unquoted(segment)
    return (
        decoded in _DOT_SEGMENTS
        or any(char in _SEPARATORS for char in decoded)
        or any(ord(char) < 0x20 or ord(char) == 0x7F for char in decoded)
    )


def path_segment(name: str, value: str | int) -> str:
    """`value` as one URL-quoted path segment; InvalidPathParameterError if it would not stay one.

    The message names the parameter, never the value (an id can be sensitive too).
    """
    text = str(value)
    if _PLAIN_SEGMENT.fullmatch(text):
        return text
    if fully_unquoted(text) == "":
        raise InvalidPathParameterError(
            f"{name} is empty: an empty path segment would call another operation"
        )
    if changes_route(text):
        raise InvalidPathParameterError(
            f"{name} cannot be sent: '.', '..', a slash, a backslash or a control character"
            " (also percent-encoded) would change which operation is called"
        )
    return urllib.parse.quote(text, safe="")


def next_page_path(next_url: str, base_url: str, page_url: str | None = None) -> str:
    """The path and query of a `next` link, relative to `base_url`, which it must lie under.

    A relative link (`?offset=5`) resolves against the URL of the page that gave it, as a
    browser would. DRF builds `next` from the Host header the server saw; a misconfigured proxy
    or a hostile server could point it anywhere, and following it would hand the API key to
    that host, or (with `..` segments) to another operation.
    """
    base = httpx.URL(base_url)
    target = httpx.URL(page_url or base_url).join(next_url)
    prefix = base.path.rstrip("/")
    path = target.raw_path.decode("ascii")
    same_origin = (target.scheme, target.host, target.port) == (base.scheme, base.host, base.port)
    segments = path.partition("?")[0].split("/")[1:]
    if segments and segments[-1] == "":
        segments.pop()  # the trailing slash DRF routes end with
    if not same_origin or target.userinfo or not path.startswith(prefix + "/"):
        problem = f"it is not under {base_url}"
    elif any(segment == "" or changes_route(segment) for segment in segments):
        problem = "an empty, '.' or '..' segment or an encoded separator would change the route"
    else:
        return path[len(prefix) :]
    shown = one_line(next_url, limit=MAX_DETAIL_LENGTH)
    raise UnsafeNextPageError(f"refusing to follow next page '{shown}': {problem}")
