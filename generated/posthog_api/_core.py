"""The core both clients share: configuration, credentials, request building, and every
decision of the request loop (whether to retry, how long to wait, which error to raise, what a
log line or a chained error may show), as plain functions or methods of ClientCore.

SyncAPIClient and AsyncAPIClient (in _base_client) add only the IO.
"""

import copy
import email.utils
import logging
import math
import random
import re
import time
from collections.abc import Mapping
from datetime import UTC
from typing import Generic, Self, TypeVar

import httpx

from ._config import (
    DEFAULT_AUTH,
    AuthSpec,
    Credential,
    Credentials,
    as_timeout,
    check_max_response_size,
    check_max_retries,
    default_host,
    env,
)
from ._constants import (
    CLIENT_VERSION,
    ENV_PREFIX,
    IDEMPOTENT_METHODS,
    INITIAL_RETRY_DELAY,
    MAX_RESPONSE_SIZE,
    MAX_RETRY_AFTER,
    MAX_RETRY_DELAY,
    PACKAGE,
    RETRYABLE_STATUS_CODES,
)
from ._encoding import BodyArguments, encode_body, encode_query
from ._exceptions import (
    APIConnectionError,
    APITimeoutError,
    ConfigurationError,
    make_status_error,
    one_line,
    redact,
)
from ._response import BodyBudget, elapsed_of
from ._routes import path_segment
from ._types import UNSET, RequestOptions, Timeout, Unset

__all__ = [
    "ClientCore",
    "parse_retry_after",
    "redact_headers",
    "retry_delay",
    "safe_cause",
    "should_retry",
]

_HttpClientT = TypeVar("_HttpClientT", httpx.Client, httpx.AsyncClient)

_PATH_PARAMETER = re.compile(r"\{([^{}/]+)\}")
_NO_BODY = BodyArguments()
_MAX_CACHED_OPERATIONS = 1024
"""How many (method, path) pairs a client remembers the credentials of: next-page paths vary."""


class SafeLogLines(logging.Filter):
    """Every line this package logs passes `one_line`: no key, no line forged by a server."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a broken format: let the handler report it
            return True
        safe = one_line(message)
        if safe != message:
            record.msg, record.args = safe, None
        return True


log = logging.getLogger(PACKAGE)
log.addFilter(SafeLogLines())

NOTHING_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Transport errors raised before any byte of the request left: even a POST may be repeated."""

SECRET_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization", "x-api-key"})


def should_retry(
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
        if isinstance(error, NOTHING_SENT):
            return True
        if not isinstance(error, httpx.TransportError):
            return False
    elif status_code not in RETRYABLE_STATUS_CODES:
        return False
    return retry_non_idempotent or method.upper() in IDEMPOTENT_METHODS


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
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


def retry_delay(
    retries_taken: int, retry_after: float | None, *, jitter: float | None = None
) -> float:
    """Seconds before the next attempt: the server's Retry-After (capped) if it gave one, else
    exponential backoff minus up to 25% random jitter, so many clients do not retry in lockstep.
    """
    if retry_after is not None:
        return min(retry_after, MAX_RETRY_AFTER)
    backoff = min(INITIAL_RETRY_DELAY * 2.0 ** min(retries_taken, 32), MAX_RETRY_DELAY)
    return backoff * (1.0 - 0.25 * (random.random() if jitter is None else jitter))


def redact_headers(
    headers: Mapping[str, str], *secrets: str, names: frozenset[str] = SECRET_HEADERS
) -> dict[str, str]:
    """Headers safe to log: credentials (the spec's apiKey headers too, in `names`), and any
    value containing a key, become <redacted>."""

    def hidden(name: str, value: str) -> bool:
        return name.lower() in names or any(secret in value for secret in secrets)

    return {name: "<redacted>" if hidden(name, value) else value for name, value in headers.items()}


def safe_cause(error: httpx.RequestError, request: httpx.Request) -> BaseException:
    """`error`, or a redacted copy without its chain when any message in the chain shows a key.

    Tracebacks print the chained errors, and a transport may put the request headers into
    its message.
    """
    link: BaseException | None = error
    for _ in range(16):  # chains are short; a cyclic one must not loop forever
        if link is None:
            return error
        if redact(str(link)) != str(link):
            try:
                return type(error)(redact(str(error)), request=request)
            except TypeError:  # a subclass with another signature
                return httpx.TransportError(redact(str(error)), request=request)
        link = link.__cause__ or link.__context__
    return error


class ClientCore(Generic[_HttpClientT]):
    """Configuration and every decision of the request loop; subclasses add only the IO."""

    _http: _HttpClientT
    _owns_http: bool

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
        auth: AuthSpec | None = None,
        credentials: Mapping[str, Credential] | None = None,
    ) -> None:
        """`auth` is the generated client's table of the spec's schemes (default: one bearer
        key, `api_key`); `credentials` maps a scheme name to its value (basic: a pair)."""
        if auth is None:
            auth, credentials = DEFAULT_AUTH, {"api_key": api_key}
        self._credentials = Credentials(auth, credentials or {}, type(self).__name__)
        self.host = default_host(host, type(self).__name__)
        self.timeout = as_timeout(timeout)
        self.max_retries = check_max_retries(max_retries)
        self.strict_response_validation = strict_response_validation
        self.max_response_size = MAX_RESPONSE_SIZE
        """Bytes of (decoded) body a response may have; set it with with_options()."""
        self.default_path_params: dict[str, str | int | None] = {
            name: env(name.upper()) if value is None else value
            for name, value in (default_path_params or {}).items()
        }
        self._headers = httpx.Headers(
            {
                "Accept": "application/json",
                "User-Agent": f"{PACKAGE}/{CLIENT_VERSION} python-httpx/{httpx.__version__}",
            }
        )
        self._headers.update(default_headers or {})
        # What most operations send rides on the client's headers; _authorized swaps it for
        # an operation whose security differs.
        self._default_auth = self._credentials.choose_default()
        self._headers.update(self._credentials.sent(self._default_auth).headers)
        self._authorized_cache: dict[tuple[str, str], tuple[httpx.Headers, dict[str, str]]] = {}

    def __repr__(self) -> str:
        shown = "".join(f", {name}='<redacted>'" for name in self._credentials.configured)
        return f"{type(self).__name__}(host={self.host!r}{shown})"

    def _authorized(self, method: str, template: str) -> tuple[httpx.Headers, dict[str, str]]:
        """The headers and query parameters of an operation: the credentials its security asks
        for and no other, from the first alternative whose credentials are all configured
        (`security: []`: none). Worked out once per operation; the caller copies before changing."""
        key = (method, template)
        cached = self._authorized_cache.get(key)
        if cached is not None:
            return cached
        security = self._credentials.auth.security_for(method, template)
        chosen = self._credentials.choose(security, f"{method.upper()} {template}")
        sent = self._credentials.sent(chosen)
        headers = self._headers
        if chosen != self._default_auth or sent.cookies:
            headers = headers.copy()
        if chosen != self._default_auth:
            for name in self._credentials.sent(self._default_auth).headers:
                headers.pop(name, None)
            headers.update(sent.headers)
        if sent.cookies:
            cookies: list[str] = headers.get_list("Cookie")
            cookies += [f"{name}={value}" for name, value in sent.cookies.items()]
            headers["Cookie"] = "; ".join(cookies)
        if len(self._authorized_cache) < _MAX_CACHED_OPERATIONS:
            self._authorized_cache[key] = (headers, sent.query)
        return headers, sent.query

    def with_options(
        self,
        *,
        timeout: Timeout | Unset = UNSET,
        max_retries: int | Unset = UNSET,
        strict_response_validation: bool | Unset = UNSET,
        max_response_size: int | Unset = UNSET,
    ) -> Self:
        """A copy of this client with other settings, sharing its connection pool.

        Arguments left out keep this client's values; `timeout` means what it means in the
        constructor. Closing the copy leaves the pool open; closing this client closes it.
        """
        clone = copy.copy(self)
        clone._owns_http = False
        clone.default_path_params = dict(self.default_path_params)
        if not isinstance(timeout, Unset):
            clone.timeout = as_timeout(timeout)
        if not isinstance(max_retries, Unset):
            clone.max_retries = check_max_retries(max_retries)
        if not isinstance(strict_response_validation, Unset):
            clone.strict_response_validation = strict_response_validation
        if not isinstance(max_response_size, Unset):
            clone.max_response_size = check_max_response_size(max_response_size)
        clone._bind_resources()
        return clone

    def _bind_resources(self) -> None:
        """The generated clients create their API groups here, on a copy too."""

    def _strict(self, options: RequestOptions) -> bool:
        """Strict decoding raises on any disagreement with the spec; the default records it."""
        return options.get("strict_response_validation", self.strict_response_validation)

    def path_param(self, name: str, value: str | int | None) -> str:
        """A path segment: the argument, else the client default, URL-quoted.

        A value that would change which operation is called (empty, `.`, `..`, a separator,
        also percent-encoded) raises InvalidPathParameterError; see _routes.
        """
        if value is None:
            value = self.default_path_params.get(name)
            if value is None or value == "":
                raise ConfigurationError(self._missing_path_param(name))
        return path_segment(name, value)

    def fill_path(self, template: str, params: Mapping[str, object] | None) -> str:
        """The spec's path template with every `{name}` that `params` names replaced by its
        value as one safe segment (path_param); other text is left as it is."""
        if not params:
            return template

        def segment(match: re.Match[str]) -> str:
            name = match[1]
            if name not in params:
                return match[0]
            value = params[name]
            text = value if value is None or isinstance(value, str | int) else str(value)
            return self.path_param(name, text)

        return _PATH_PARAMETER.sub(segment, template)

    def _missing_path_param(self, name: str) -> str:
        if name not in self.default_path_params:
            return f"no {name}: pass {name}=... to the method"
        return (
            f"no {name}: pass {name}=... to {type(self).__name__}() or the method, "
            f"or set {ENV_PREFIX}{name.upper()}"
        )

    def _budget(self, request: httpx.Request, options: RequestOptions) -> BodyBudget:
        """The limits of one attempt: the read timeout as its deadline, the response size."""
        read_timeout = request.extensions.get("timeout", {}).get("read")
        return BodyBudget(
            request,
            deadline=None if read_timeout is None else time.monotonic() + read_timeout,
            max_size=options.get("max_response_size", self.max_response_size),
        )

    def _build_request(
        self,
        method: str,
        path: str,
        query: Mapping[str, object] | None,
        body: object,
        options: RequestOptions,
        content_type: str = "application/json",
        template: str | None = None,
    ) -> httpx.Request:
        """`template` is the spec's path (it picks the operation's security); `path` filled in."""
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/', got {path!r}")
        headers, auth_query = self._authorized(method, template or path)
        if auth_query or "extra_query" in options:
            query = {**(query or {}), **auth_query, **options.get("extra_query", {})}
        encoded = _NO_BODY
        if not isinstance(body, Unset):
            encoded = encode_body(body, content_type)
        if "extra_headers" in options or encoded.content_type is not None:
            headers = headers.copy()
            headers.update(options.get("extra_headers", {}))
            if encoded.content_type is not None:
                headers["Content-Type"] = encoded.content_type
        pairs = encode_query(query or {})
        target = self.host + path
        url: str | httpx.URL = target  # parsed once, by httpx
        params: httpx.QueryParams | tuple[tuple[str, str], ...] | None = pairs or None
        if "?" in target:  # a next-page path brings its query string: the method's adds to it
            url = httpx.URL(target)
            params = url.params.merge(pairs)
        timeout = httpx.Timeout(options["timeout"]) if "timeout" in options else self.timeout
        request = self._http.build_request(
            method.upper(),
            url,
            params=params,
            headers=headers,
            content=encoded.content,
            data=encoded.data,
            files=encoded.files,
            extensions={"timeout": timeout.as_dict()},
        )
        if log.isEnabledFor(logging.DEBUG):
            redacted = redact_headers(
                request.headers,
                *self._credentials.secrets,
                names=SECRET_HEADERS | self._credentials.header_names,
            )
            log.debug("%s %s headers=%s", request.method, request.url, redacted)
        return request

    def _delay_after_response(
        self, response: httpx.Response, options: RequestOptions, retries_taken: int
    ) -> float | None:
        """None when the response is a success; seconds to wait before retrying; else raises."""
        request = response.request
        if log.isEnabledFor(logging.DEBUG):
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
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            return self._log_retry(request, retries_taken, retry_delay(retries_taken, retry_after))
        raise make_status_error(response)

    def _delay_after_error(
        self,
        request: httpx.Request,
        error: httpx.RequestError,
        options: RequestOptions,
        retries_taken: int,
    ) -> float:
        """Seconds to wait before retrying after a transport error; raises when giving up.

        Called outside the `except` block, so the error raised is chained only to a cause whose
        messages show no key (see safe_cause).
        """
        failure = f"{request.method} {request.url} failed: {type(error).__name__}: {error}"
        log.debug("%s (retries taken: %d)", failure, retries_taken)
        if self._may_retry(request, options, retries_taken, error=error):
            return self._log_retry(request, retries_taken, retry_delay(retries_taken, None))
        cause = safe_cause(error, request)
        if isinstance(error, httpx.TimeoutException):
            raise APITimeoutError(failure, request=request) from cause
        raise APIConnectionError(failure, request=request) from cause

    def _may_retry(
        self,
        request: httpx.Request,
        options: RequestOptions,
        retries_taken: int,
        *,
        status_code: int | None = None,
        error: Exception | None = None,
    ) -> bool:
        return retries_taken < options.get("max_retries", self.max_retries) and should_retry(
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
