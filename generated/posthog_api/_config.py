"""Client settings, checked when a client is built: a bad key, host or retry count fails there,
with a message naming the argument and the environment variable, never showing a key."""

import binascii
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import httpx

from ._constants import DEFAULT_HOST, DEFAULT_TIMEOUT, ENV_PREFIX
from ._exceptions import ConfigurationError, register_secret
from ._types import Timeout

__all__ = [
    "AuthSpec",
    "Credentials",
    "Scheme",
    "as_timeout",
    "check_api_key",
    "check_host",
    "check_http_args",
    "check_max_response_size",
    "check_max_retries",
    "default_host",
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
    return _checked_key(api_key, source)


def _checked_key(key: str, source: str, label: str = "API key") -> str:
    for is_problem, problem in _KEY_PROBLEMS:
        if is_problem(key):
            raise ConfigurationError(
                f"the {label} from {source} {problem}: keys are printable ASCII without spaces"
                f" (the {label} is not shown)"
            )
    return key


SchemeKind = Literal["bearer", "basic", "header", "query", "cookie"]
Requirement = tuple[str, ...]
"""Scheme names sent together; `()` is the anonymous alternative."""
Security = tuple[Requirement, ...]
"""An operation's alternatives, in the spec's order: the first fully configured one is sent."""


@dataclass(frozen=True)
class Scheme:
    """One of the spec's security schemes: the argument holding it and where it is sent."""

    name: str
    kind: SchemeKind  # bearer (also OAuth2, OpenID Connect), basic, or an apiKey's location
    argument: str
    env_var: str  # basic: the prefix of <env_var>_USERNAME and <env_var>_PASSWORD
    parameter: str = ""  # the header, query or cookie name of an apiKey


@dataclass(frozen=True)
class AuthSpec:
    """The spec's schemes and which operations need which (the generated client's table)."""

    schemes: tuple[Scheme, ...]
    default: Security = ((),)
    operations: Mapping[tuple[str, str], Security] = field(default_factory=dict)
    """(method, path template) -> its security, for operations that differ from `default`."""
    required: bool = False
    """Every operation needs a credential: a client built without any is refused."""

    def security_for(self, method: str, path: str) -> Security:
        """By the spec's path template; a next-page path (filled in, with a query) is matched
        segment by segment, literal segments first."""
        method = method.upper()
        exact = self.operations.get((method, path))
        if exact is not None:
            return exact
        segments = path.partition("?")[0].split("/")
        best: tuple[int, Security] | None = None
        for (op_method, template), security in self.operations.items():
            parts = template.split("/")
            if op_method != method or len(parts) != len(segments):
                continue
            if all(map(_segment_matches, parts, segments)):
                literal = sum(1 for part in parts if not part.startswith("{"))
                if best is None or literal > best[0]:
                    best = (literal, security)
        return self.default if best is None else best[1]


def _segment_matches(template: str, segment: str) -> bool:
    return template == segment or (template.startswith("{") and template.endswith("}"))


DEFAULT_AUTH = AuthSpec(
    schemes=(Scheme("api_key", "bearer", "api_key", f"{ENV_PREFIX}PERSONAL_API_KEY"),),
    default=(("api_key",),),
    required=True,
)
"""The base client's own scheme when a generated client passes no table: one bearer key."""


@dataclass(frozen=True)
class Sent:
    """What one request carries for its chosen alternative."""

    headers: dict[str, str]
    query: dict[str, str]
    cookies: dict[str, str]


Credential = str | tuple[str | None, str | None] | None
"""A token or key; for basic auth (user name, password)."""


class Credentials:
    """The configured credentials, checked and registered as secrets when the client is built;
    each request sends only those its operation's security asks for."""

    def __init__(self, auth: AuthSpec, given: Mapping[str, Credential], client_name: str) -> None:
        self.auth = auth
        self.client_name = client_name
        self._values: dict[str, str] = {}
        for scheme in auth.schemes:
            value = self._value(scheme, given.get(scheme.name))
            if value is not None:
                self._values[scheme.name] = value
        if auth.required and not self._values:
            raise ConfigurationError(self._missing(((s.name,) for s in auth.schemes), "no "))
        self.header_names = frozenset(
            s.parameter.lower() for s in auth.schemes if s.kind == "header"
        ) | {"authorization", "cookie"}

    @property
    def configured(self) -> tuple[str, ...]:
        """The arguments holding a credential (for repr, which shows none of them)."""
        return tuple(s.argument for s in self.auth.schemes if s.name in self._values)

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(self._values.values())

    def _value(self, scheme: Scheme, given: Credential) -> str | None:
        if scheme.kind == "basic":
            return self._basic(scheme, given if isinstance(given, tuple) else (None, None))
        source = f"{scheme.argument}=..."
        if not isinstance(given, str) or not given:
            given, source = os.environ.get(scheme.env_var) or None, scheme.env_var
        if given is None:
            return None
        key = _checked_key(given, source)
        if scheme.kind == "cookie" and (";" in key or "," in key):
            raise ConfigurationError(f"the API key from {source} contains ';' or ',' (not shown)")
        register_secret(key)
        if scheme.kind == "query":
            register_secret(str(httpx.QueryParams({"k": key}))[2:])  # as it appears in a URL
        return f"Bearer {key}" if scheme.kind == "bearer" else key

    def _basic(self, scheme: Scheme, given: tuple[str | None, str | None]) -> str | None:
        user, password = given
        user_source = f"{scheme.argument}_username=..."
        password_source = f"{scheme.argument}_password=..."
        if not user and not password:
            user_source = f"{scheme.env_var}_USERNAME"
            password_source = f"{scheme.env_var}_PASSWORD"
            user, password = os.environ.get(user_source), os.environ.get(password_source)
        if not user and not password:
            return None
        if not user or not password:
            raise ConfigurationError(
                f"basic auth needs both {user_source} and {password_source}, got only one"
            )
        _checked_key(password, password_source, "password")
        if ":" in _checked_key(user, user_source, "user name"):
            raise ConfigurationError(f"the user name from {user_source} contains ':'")
        register_secret(password)
        token = binascii.b2a_base64(f"{user}:{password}".encode(), newline=False).decode()
        register_secret(token)
        return f"Basic {token}"

    def choose_default(self) -> Requirement:
        """What most operations send, if configured (else each call finds out what it lacks)."""
        for requirement in self.auth.default:
            if all(name in self._values for name in requirement):
                return requirement
        return ()

    def choose(self, security: Security, what: str) -> Requirement:
        """The first alternative whose credentials are all configured; else a ConfigurationError
        saying which arguments (or variables) `what` needs."""
        for requirement in security:
            if all(name in self._values for name in requirement):
                return requirement
        raise ConfigurationError(self._missing(security, f"{what} needs "))

    def sent(self, requirement: Requirement) -> Sent:
        sent = Sent({}, {}, {})
        for scheme in self.auth.schemes:
            if scheme.name not in requirement:
                continue
            value = self._values[scheme.name]
            if scheme.kind in ("bearer", "basic"):
                sent.headers["Authorization"] = value
            elif scheme.kind == "header":
                sent.headers[scheme.parameter] = value
            elif scheme.kind == "query":
                sent.query[scheme.parameter] = value
            else:
                sent.cookies[scheme.parameter] = value
        return sent

    def _missing(self, security: Iterable[Requirement], lead: str) -> str:
        by_name = {s.name: s for s in self.auth.schemes}
        options = []
        for requirement in security:
            schemes = [by_name[name] for name in requirement if name in by_name]
            arguments = " and ".join(f"{a}=..." for s in schemes for a in _arguments(s))
            variables = " and ".join(v for s in schemes for v in _env_vars(s))
            if arguments:
                options.append(f"{arguments} to {self.client_name}() or set {variables}")
        if lead == "no " and len(options) == 1:
            return f"no {self.auth.schemes[0].argument}: pass {options[0]}"
        return f"{lead}credentials: pass " + ", or ".join(options)


def _arguments(scheme: Scheme) -> tuple[str, ...]:
    if scheme.kind == "basic":
        return (f"{scheme.argument}_username", f"{scheme.argument}_password")
    return (scheme.argument,)


def _env_vars(scheme: Scheme) -> tuple[str, ...]:
    if scheme.kind == "basic":
        return (f"{scheme.env_var}_USERNAME", f"{scheme.env_var}_PASSWORD")
    return (scheme.env_var,)


def default_host(host: str | None, client_name: str) -> str:
    """The host to use: the argument, else <prefix>HOST, else the spec's first server."""
    chosen = host or env("HOST") or DEFAULT_HOST
    if not chosen:
        raise ConfigurationError(
            f"no host: the spec names no server, so pass host=... to {client_name}()"
            f" or set {ENV_PREFIX}HOST"
        )
    return check_host(chosen)


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
