"""Client settings, checked when a client is built: a bad key, host or retry count fails there,
with a message naming the argument and the environment variable, never showing a key."""

import os
from collections.abc import Callable

import httpx

from ._constants import DEFAULT_TIMEOUT, ENV_PREFIX
from ._exceptions import ConfigurationError
from ._types import Timeout

__all__ = [
    "as_timeout",
    "check_api_key",
    "check_host",
    "check_http_args",
    "check_max_response_size",
    "check_max_retries",
    "env",
]


def env(name: str) -> str | None:
    return os.environ.get(ENV_PREFIX + name) or None


_KEY_PROBLEMS: tuple[tuple[Callable[[str], bool], str], ...] = (
    (lambda key: key.endswith(("\n", "\r")), "ends with a line break (read from a file? strip it)"),
    (lambda key: "\n" in key or "\r" in key, "contains a line break"),
    (lambda key: "\x00" in key, "contains a NUL character"),
    (lambda key: any(char.isspace() for char in key), "contains whitespace"),
    (lambda key: not key.isprintable(), "contains a control character"),
    (lambda key: not key.isascii(), "contains a non-ASCII character"),
)
"""Why a key cannot be sent as a header; each would otherwise fail every call, and some echo
the key back in the transport's error message."""


def check_api_key(api_key: str | None, client_name: str) -> str:
    """The key to send; a ConfigurationError naming its source, never showing it, if unusable."""
    source = "api_key=..."
    if not api_key:
        api_key, source = env("PERSONAL_API_KEY"), f"{ENV_PREFIX}PERSONAL_API_KEY"
    if not api_key:
        raise ConfigurationError(
            f"no api_key: pass api_key=... to {client_name}() or set {ENV_PREFIX}PERSONAL_API_KEY"
        )
    for is_problem, problem in _KEY_PROBLEMS:
        if is_problem(api_key):
            raise ConfigurationError(
                f"the API key from {source} {problem}: keys are printable ASCII without spaces"
                " (the key is not shown)"
            )
    return api_key


def check_host(host: str) -> str:
    try:
        url = httpx.URL(host)
    except httpx.InvalidURL:
        url = httpx.URL()
    if url.userinfo or "@" in host.partition("//")[2].partition("/")[0]:
        raise ConfigurationError(
            "host must not contain a user name or password (user:pass@...): httpx would send"
            f" them as Basic auth instead of the API key; fix host=... or {ENV_PREFIX}HOST"
            " (the host is not shown)"
        )
    if url.scheme not in ("http", "https") or not url.host or url.query or url.fragment:
        raise ConfigurationError(
            f"host {host!r} is not an http(s) base URL: pass host=... or set {ENV_PREFIX}HOST"
        )
    return host.rstrip("/")


def as_timeout(timeout: Timeout) -> httpx.Timeout:
    """None means the default of 60 s; httpx.Timeout(None) means no timeout at all."""
    return httpx.Timeout(DEFAULT_TIMEOUT if timeout is None else timeout)


def check_max_retries(max_retries: int) -> int:
    if max_retries < 0:
        raise ConfigurationError(f"max_retries must be 0 or more, got {max_retries}")
    return max_retries


def check_max_response_size(max_response_size: int) -> int:
    if max_response_size < 1:
        raise ConfigurationError(f"max_response_size must be 1 or more, got {max_response_size}")
    return max_response_size


def check_http_args(http_client: object, transport: object) -> None:
    if http_client is not None and transport is not None:
        raise ConfigurationError(
            "pass either http_client or transport, not both: set the transport on your http_client"
        )
