"""Generator settings: the names, default host and credential names of the generated package.

Three sources, later ones winning: names derived from the spec (`info.title`, the first
`servers` URL), a config file (`posthog-codegen.toml` beside the spec, or `--config FILE`),
and the CLI flags. `GeneratorConfig()` itself keeps PostHog's names, for library callers that
pass nothing and have no config file.
"""

from __future__ import annotations

import keyword
import os
import re
import sys
import tomllib
import unicodedata
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from generator.errors import SpecError

CONFIG_FILE_NAME = "posthog-codegen.toml"


def default_cache_dir() -> Path:
    """Where parsed spec pieces are kept between runs (`--no-cache` bypasses it)."""
    explicit = os.environ.get("POSTHOG_CODEGEN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "posthog-codegen"


@dataclass(frozen=True)
class AuthName:
    """What the client calls one of the spec's security schemes: its keyword argument and
    environment variable (after the prefix), e.g. PersonalAPIKeyAuth -> api_key and
    PERSONAL_API_KEY."""

    scheme: str
    argument: str
    env_var: str


# The exceptions templates/package/_exceptions.py.jinja defines besides the base class (lower
# case: ruff's import sorting, which the generated `__init__` keeps, ignores case).
_RUNTIME_EXCEPTIONS = frozenset(
    name.lower()
    for name in (
        "ConfigurationError",
        "InvalidPathParameterError",
        "ResponseValidationError",
        "ResponseTooLargeError",
        "UnsafeNextPageError",
        "APIConnectionError",
        "APITimeoutError",
        "APIStatusError",
        "BadRequestError",
        "AuthenticationError",
        "PermissionDeniedError",
        "NotFoundError",
        "MethodNotAllowedError",
        "ConflictError",
        "UnprocessableEntityError",
        "RateLimitError",
        "InternalServerError",
    )
)


@dataclass(frozen=True)
class GeneratorConfig:
    package: str = "posthog_api"
    distribution: str = "posthog-api"
    client_class: str = "PostHog"
    async_client_class: str = "AsyncPostHog"
    client_version: str = "0.1.0"
    # None: the spec's first `servers` URL (see `for_spec`); still None there: no default host.
    default_host: str | None = None
    env_prefix: str = "POSTHOG_"
    auth_names: tuple[AuthName, ...] = ()
    # Path parameters the client fills in from its own settings when a call leaves them out.
    client_default_path_params: tuple[str, ...] = ("project_id", "organization_id")
    line_length: int = 100

    def for_spec(self, data: dict[str, Any]) -> GeneratorConfig:
        """This config with what it leaves open taken from the spec (the default host)."""
        if self.default_host is not None:
            return self
        return replace(self, default_host=server_default_url(data))

    def auth_name(self, scheme: str) -> AuthName | None:
        return next((name for name in self.auth_names if name.scheme == scheme), None)

    @property
    def error_class(self) -> str:
        """The base of every exception the client raises, named after it: `PostHogError`
        (`GitHubError` for a client called GitHub); `<client>ClientError` where that would
        be the name of one of the runtime's own exceptions (a client called `APIStatus`)."""
        name = f"{self.client_class}Error"
        if name.lower() in _RUNTIME_EXCEPTIONS:
            return f"{self.client_class}ClientError"
        return name


@dataclass(frozen=True)
class ConfigSettings:
    """What a config file and the CLI flags set; None leaves the value to the spec."""

    source: str = ""  # the config file, for messages ("" when there is none)
    package: str | None = None
    distribution: str | None = None
    client_class: str | None = None
    async_client_class: str | None = None
    version: str | None = None
    env_prefix: str | None = None
    default_host: str | None = None
    auth_names: tuple[AuthName, ...] = ()

    def with_flags(
        self,
        *,
        package: str | None = None,
        client_class: str | None = None,
        env_prefix: str | None = None,
    ) -> ConfigSettings:
        """CLI flags over the file: `--client-name X` also names the async client `AsyncX`."""
        updates: dict[str, Any] = {}
        for key, value, flag in (
            ("package", package, "--package-name"),
            ("client_class", client_class, "--client-name"),
            ("env_prefix", env_prefix, "--env-prefix"),
        ):
            if value is not None:
                _check_value(flag, key, value)
                updates[key] = value
        if client_class is not None:
            updates["async_client_class"] = f"Async{client_class}"
        if package is not None and self.distribution is None:
            updates["distribution"] = package.replace("_", "-")
        return replace(self, **updates)

    def resolve(self, data: dict[str, Any]) -> GeneratorConfig:
        """The full config for a spec: what is set here, the rest derived from `info.title`."""
        info = data.get("info")
        derived = names_from_title(str(info.get("title") or "") if isinstance(info, dict) else "")
        package = self.package or derived.package
        client = self.client_class or derived.client_class
        return GeneratorConfig(
            package=package,
            distribution=self.distribution or package.replace("_", "-"),
            client_class=client,
            async_client_class=self.async_client_class or f"Async{client}",
            client_version=self.version or derived.client_version,
            env_prefix=derived.env_prefix if self.env_prefix is None else self.env_prefix,
            default_host=self.default_host,
            auth_names=self.auth_names,
        ).for_spec(data)


def resolve_config(
    config: GeneratorConfig | ConfigSettings | None, spec_path: Path, data: dict[str, Any]
) -> GeneratorConfig:
    """The config a generation uses: as given, else the config file beside the spec, else
    `GeneratorConfig()`; whatever stays open is taken from the spec."""
    if config is None:
        beside = spec_path.parent / CONFIG_FILE_NAME
        config = load_config_file(beside) if beside.is_file() else GeneratorConfig()
    if isinstance(config, ConfigSettings):
        return config.resolve(data)
    return config.for_spec(data)


# -- names from the title ----------------------------------------------------------------------

_WORDS = re.compile(r"[A-Za-z0-9]+")
MAX_PACKAGE_LENGTH = 40
# A package named like these would shadow a module the generated code (or its user) imports.
_TAKEN_MODULES = frozenset(sys.stdlib_module_names) | {"httpx", "anyio", "typing_extensions"}
_CLASS_TAKEN = frozenset({"Any", "Final", "Literal", "Self", "SyncAPIClient", "AsyncAPIClient"})


def names_from_title(title: str) -> GeneratorConfig:
    """`GitHub v3 REST API` -> package `github_v3_rest_api`, client `GitHubV3RestApi`, env
    prefix `GITHUB_V3_REST_API_`. Words are runs of ASCII letters and digits (accents folded,
    other characters dropped); an empty or unusable title gives `api` / `Api`."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    words = _WORDS.findall(ascii_title)
    package = "_".join(word.lower() for word in words)[:MAX_PACKAGE_LENGTH].strip("_")
    client = "".join(_class_word(word) for word in words)[:MAX_PACKAGE_LENGTH]
    if not package or package[0].isdigit():
        package = f"api_{package}".rstrip("_")
    if not client or client[0].isdigit():
        client = f"Api{client}"
    if keyword.iskeyword(package) or package in _TAKEN_MODULES:
        package = f"{package}_api"
    if keyword.iskeyword(client) or client in _CLASS_TAKEN:  # a title "true" or "None"
        client = f"{client}Client"
    return GeneratorConfig(
        package=package,
        distribution=package.replace("_", "-"),
        client_class=client,
        async_client_class=f"Async{client}",
        env_prefix=f"{package.upper()}_",
    )


def _class_word(word: str) -> str:
    """`GitHub` stays, `REST` -> `Rest`, `v3` -> `V3`: capitals only where a word starts."""
    if word.isupper():
        word = word.capitalize()
    return word[0].upper() + word[1:]


# -- servers --------------------------------------------------------------------------------


_VARIABLE = re.compile(r"\{([^{}]*)\}")


def server_default_url(data: dict[str, Any]) -> str | None:
    """The first `servers` URL with each `{variable}` replaced by its default; None when the
    spec has no servers, or the URL is relative or not http(s) (the parser warns)."""
    servers = data.get("servers")
    if not isinstance(servers, list) or not servers or not isinstance(servers[0], dict):
        return None
    server = servers[0]
    variables = server.get("variables") if isinstance(server.get("variables"), dict) else {}

    def default(match: re.Match[str]) -> str:
        variable = variables.get(match[1]) if variables else None
        value = variable.get("default") if isinstance(variable, dict) else None
        return str(value) if value is not None else match[0]

    url = _VARIABLE.sub(default, str(server.get("url") or "")).rstrip("/")
    if not re.fullmatch(r"https?://[^\s/?#{}@]+(/[^\s?#{}]*)?", url):
        return None
    return url


# -- the config file ------------------------------------------------------------------------

_PATTERNS: dict[str, tuple[str, str]] = {
    "package": (r"[a-z_][a-z0-9_]*", "a lower-case Python package name"),
    "distribution": (r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?", "a distribution name"),
    "client_class": (r"[A-Z][A-Za-z0-9_]*", "a Python class name starting with a capital"),
    "async_client_class": (r"[A-Z][A-Za-z0-9_]*", "a Python class name starting with a capital"),
    "version": (r"\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?", "a PEP 440 version"),
    "env_prefix": (r"([A-Z][A-Z0-9_]*)?", "upper-case letters, digits and `_`"),
    "default_host": (r"https?://[^\s/?#@]+(/[^\s?#]*)?", "an http(s) URL without query"),
    "argument": (r"[a-z_][a-z0-9_]*", "a lower-case Python argument name"),
    "env_var": (r"[A-Z][A-Z0-9_]*", "upper-case letters, digits and `_`"),
}
_SETTINGS_KEYS = frozenset(f.name for f in fields(ConfigSettings)) - {"source", "auth_names"}
_AUTH_KEYS = frozenset({"argument", "env_var"})


def _check_value(where: str, key: str, value: object) -> str:
    pattern, wanted = _PATTERNS[key]
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        raise SpecError(where, f"{key}: {value!r} is not {wanted}")
    if key in ("package", "argument", "client_class", "async_client_class") and (
        keyword.iskeyword(value) or (key == "package" and value in _TAKEN_MODULES)
    ):
        raise SpecError(where, f"{key}: {value!r} would shadow a Python keyword or module")
    return value


def load_config_file(path: Path) -> ConfigSettings:
    """Read a config file; an unknown key or a bad value is one SpecError naming file and key.

    Keys: package, distribution, client_class, async_client_class, version, env_prefix,
    default_host, and `[auth.<SchemeName>]` tables with `argument` and `env_var`.
    """
    where = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SpecError(where, f"cannot read the config file: {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SpecError(where, f"not valid TOML: {error}") from None
    values: dict[str, Any] = {"source": where}
    auth_names: list[AuthName] = []
    for key, value in data.items():
        if key == "auth":
            auth_names = _auth_table(where, value)
        elif key in _SETTINGS_KEYS:
            values[key] = _check_value(where, key, value)
        else:
            known = ", ".join(sorted({*_SETTINGS_KEYS, "auth"}))
            raise SpecError(where, f"{key}: unknown key (known: {known})")
    return ConfigSettings(**values, auth_names=tuple(auth_names))


def _auth_table(where: str, table: object) -> list[AuthName]:
    if not isinstance(table, dict):
        raise SpecError(where, "auth: must be a table of [auth.<SchemeName>] tables")
    names = []
    for scheme, entry in table.items():
        if not isinstance(entry, dict):
            raise SpecError(where, f"auth.{scheme}: must be a table with argument and env_var")
        unknown = sorted(set(entry) - _AUTH_KEYS)
        if unknown:
            raise SpecError(
                where, f"auth.{scheme}.{unknown[0]}: unknown key (known: argument, env_var)"
            )
        argument = _check_value(where, "argument", entry.get("argument", _snake(scheme)))
        env_var = _check_value(where, "env_var", entry.get("env_var", argument.upper()))
        names.append(AuthName(scheme=str(scheme), argument=argument, env_var=env_var))
    return names


def _snake(name: str) -> str:
    words = _WORDS.findall(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name))
    return "_".join(word.lower() for word in words) or "credential"
