"""The spec's securitySchemes and `security` requirements, as the client sends them.

Which credential goes where is decided here, once: the runtime gets a table of schemes and,
per operation, the alternatives it accepts. A scheme the client cannot send (http digest,
mutual TLS) is left out with a warning, and so is every alternative needing it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from generator.config import GeneratorConfig
from generator.ir import naming
from generator.ir.model import SchemeKind, Security, SecurityScheme
from generator.spec.load import escape_pointer_token

Warn = Callable[[str, str], None]
ANONYMOUS: Security = ((),)
_SINGLE_CREDENTIAL = "api_key"
# A spec declaring no securitySchemes at all (many real ones leave their auth out) still gets
# an optional `api_key`, sent as a bearer token on every operation when it is given.
UNDECLARED = "(undeclared bearer token)"
_UNDECLARED_SECURITY: Security = ((UNDECLARED,), ())
# Keyword arguments of the client's constructor that a credential argument must not take.
CLIENT_ARGUMENTS = frozenset(
    {
        "host",
        "timeout",
        "max_retries",
        "http_client",
        "transport",
        "default_headers",
        "strict_response_validation",
        "self",
    }
)


def security_schemes(
    doc: dict[str, Any], config: GeneratorConfig, warn: Warn, taken: frozenset[str] = frozenset()
) -> tuple[SecurityScheme, ...]:
    """The schemes the client can send, named by the config or by the rule: a spec with one
    token scheme (bearer or apiKey) calls it `api_key`, else each is its name in snake_case."""
    raw = (doc.get("components") or {}).get("securitySchemes") or {}
    kinds: list[tuple[str, SchemeKind, str, str]] = []
    if not raw:
        raw = {UNDECLARED: {"type": "http", "scheme": "bearer"}}
    for name, scheme in raw.items() if isinstance(raw, dict) else ():
        pointer = f"/components/securitySchemes/{escape_pointer_token(str(name))}"
        kind, parameter = _kind(scheme if isinstance(scheme, dict) else {}, pointer, warn)
        if kind is not None:
            description = str(scheme.get("description") or "") if isinstance(scheme, dict) else ""
            kinds.append((str(name), kind, parameter, description))
    single = len(kinds) == 1 and kinds[0][1] != "basic"
    wanted = []
    for name, *_ in kinds:
        configured = config.auth_name(name)
        if configured is not None:
            wanted.append(configured.argument)
        else:
            wanted.append(_SINGLE_CREDENTIAL if single else naming.argument_name(name))
    arguments = naming.unique(wanted, taken=CLIENT_ARGUMENTS | taken)
    schemes = []
    for (name, kind, parameter, description), argument in zip(kinds, arguments, strict=True):
        configured = config.auth_name(name)
        env = configured.env_var if configured is not None else argument.upper()
        schemes.append(
            SecurityScheme(
                name=name,
                kind=kind,
                argument=argument,
                env_var=f"{config.env_prefix}{env}",
                parameter=parameter,
                description=description,
            )
        )
    return tuple(schemes)


def _kind(scheme: dict[str, Any], pointer: str, warn: Warn) -> tuple[SchemeKind | None, str]:
    kind = scheme.get("type")
    if kind == "http":
        http = str(scheme.get("scheme") or "").lower()
        if http == "bearer":
            return "bearer", ""
        if http == "basic":
            return "basic", ""
        warn(f"{pointer}/scheme", f"http scheme {http!r} is not supported: the client omits it")
        return None, ""
    if kind in ("oauth2", "openIdConnect"):
        return "bearer", ""  # the client takes the token; getting one is the caller's business
    if kind == "apiKey":
        where, name = scheme.get("in"), str(scheme.get("name") or "")
        if where in ("header", "query", "cookie") and name:
            if where == "header" and name.lower() in ("content-type", "accept"):
                warn(f"{pointer}/name", f"apiKey header {name!r} is not supported")
                return None, ""
            return where, name
        warn(pointer, "an apiKey scheme needs `in` (header, query, cookie) and `name`")
        return None, ""
    warn(pointer, f"security scheme type {kind!r} is not supported: the client omits it")
    return None, ""


def operation_security(
    raw: dict[str, Any],
    doc: dict[str, Any],
    schemes: tuple[SecurityScheme, ...],
    pointer: str,
    warn: Warn,
) -> Security:
    """An operation's `security` (the top-level one when it has none) as alternatives of
    scheme names; `[]`, `[{}]` and no security at all are the anonymous alternative `()`."""
    own = "security" in raw
    requirements = raw.get("security") if own else doc.get("security")
    if [scheme.name for scheme in schemes] == [UNDECLARED]:
        return ANONYMOUS if requirements == [] and own else _UNDECLARED_SECURITY
    if not isinstance(requirements, list) or not requirements:
        return ANONYMOUS
    known = {scheme.name for scheme in schemes}
    alternatives: list[tuple[str, ...]] = []
    where = f"{pointer}/security" if own else "/security"
    for index, requirement in enumerate(requirements):
        names = tuple(str(name) for name in (requirement or {}))
        missing = [name for name in names if name not in known]
        if missing:
            warn(f"{where}/{index}", f"needs scheme {missing[0]!r}, which the client cannot send")
        elif names not in alternatives:
            alternatives.append(names)
    if not alternatives:
        warn(where, "no alternative the client can send: it is called without credentials")
        return ANONYMOUS
    return tuple(alternatives)


def default_security(securities: list[Security]) -> Security:
    """The most common requirement (the first seen on a tie): the client's table lists only
    operations that differ from it."""
    if not securities:
        return ANONYMOUS
    counts = Counter(securities)
    best = max(counts.values())
    return next(security for security in securities if counts[security] == best)
