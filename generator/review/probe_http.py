"""How the probe talks to a live server: only GETs, a bounded number, and the key kept safe.

Because the probe runs with a real key against a real server: each request counts against
`--max-requests` (retries included), has a timeout, does not follow redirects (they would carry
the key elsewhere), waits out a 429 (Retry-After, capped), and the first 401/403 ends the run.
The key travels in an unredirected header and is never logged.
"""

from __future__ import annotations

import email.utils
import http.client
import logging
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from generator.errors import SpecError
from generator.review.arguments import DEFAULT_MAX_REQUESTS, DEFAULT_TIMEOUT
from generator.review.probe_check import Answer

MAX_ATTEMPTS = 4  # a request and three retries after 429
MAX_RETRY_AFTER = 30.0  # seconds; a longer Retry-After is cut to this
MAX_BODY_BYTES = 20_000_000
_LOG = logging.getLogger("generator.review.probe")  # one logger for the whole command


@dataclass(frozen=True)
class ProbeSettings:
    """Where and how to probe; `path_values` holds project_id/organization_id when given."""

    host: str
    key: str = field(repr=False)  # a repr must never show the key
    path_values: Mapping[str, str] = field(default_factory=dict)
    max_requests: int = DEFAULT_MAX_REQUESTS
    timeout: float = DEFAULT_TIMEOUT


class BudgetSpent(Exception):
    """`--max-requests` requests were sent; the rest of the run skips its operations."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A followed redirect would carry the key to wherever it points: report the 3xx instead."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def retry_delay(retry_after: str | None, attempt: int) -> float:
    """Seconds to wait after a 429: Retry-After (seconds or an HTTP date), else 1, 2, 4; capped."""
    delay = 2.0**attempt
    text = (retry_after or "").strip()
    if text:
        try:
            delay = float(text)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(text)
            except (TypeError, ValueError):
                pass
            else:
                when = when if when.tzinfo else when.replace(tzinfo=UTC)
                delay = (when - datetime.now(UTC)).total_seconds()
    return min(max(delay, 0.0), MAX_RETRY_AFTER)


class Http:
    """Sends the probe's GETs: counts them, waits out 429s, stops at 401/403."""

    def __init__(self, settings: ProbeSettings, sleep: Callable[[float], None]) -> None:
        self.settings = settings
        self.sleep = sleep
        self.sent = 0
        self.opener = urllib.request.build_opener(_NoRedirects)

    def get(self, url_path: str, operation: str) -> Answer:
        for attempt in range(MAX_ATTEMPTS):
            answer = self._send(url_path, operation)
            _LOG.debug("GET %s (%s) -> %s", operation, attempt + 1, answer.status)
            if answer.status in (401, 403):
                message = f"the key was refused ({answer.status}) on {operation}"
                raise SpecError(self.settings.host, f"{message}: check the key and its scopes")
            if answer.status != 429 or attempt == MAX_ATTEMPTS - 1:
                return answer
            self.sleep(retry_delay(answer.retry_after, attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, url_path: str, operation: str) -> Answer:
        if self.sent >= self.settings.max_requests:
            raise BudgetSpent
        self.sent += 1
        request = urllib.request.Request(
            self.settings.host + url_path,
            method="GET",
            headers={"Accept": "application/json", "User-Agent": "posthog-codegen-probe"},
        )
        request.add_unredirected_header("Authorization", f"Bearer {self.settings.key}")
        try:
            with self.opener.open(request, timeout=self.settings.timeout) as response:
                return _answer(response.status, response.headers, response)
        except urllib.error.HTTPError as exc:
            with exc:
                return _answer(exc.code, exc.headers, exc)
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", None) or exc or exc.__class__.__name__
            message = f"no answer on {operation}: {reason}"
            raise SpecError(self.settings.host, message) from None


def _answer(status: int, headers: Any, stream: Any) -> Answer:
    media_type = str(headers.get("Content-Type") or "").split(";")[0].strip().lower()
    return Answer(status, media_type, headers.get("Retry-After"), stream.read(MAX_BODY_BYTES + 1))
