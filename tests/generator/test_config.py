"""Names, host and credential names from the spec, the config file and the CLI flags."""

from __future__ import annotations

import ast
import keyword
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import generator.config as config_module
from generator.cli import main
from generator.config import (
    AuthName,
    ConfigSettings,
    GeneratorConfig,
    load_config_file,
    names_from_title,
    resolve_config,
    server_default_url,
)
from generator.errors import SpecError
from generator.ir.security import operation_security, security_schemes

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("title", "package", "client", "prefix"),
    [
        ("GitHub v3 REST API", "github_v3_rest_api", "GitHubV3RestApi", "GITHUB_V3_REST_API_"),
        ("PostHog API", "posthog_api", "PostHogApi", "POSTHOG_API_"),
        ("Stripé  payments!!", "stripe_payments", "StripePayments", "STRIPE_PAYMENTS_"),
        ("", "api", "Api", "API_"),
        ("世界", "api", "Api", "API_"),  # nothing ASCII left
        ("3scale API", "api_3scale_api", "Api3scaleApi", "API_3SCALE_API_"),
        ("JSON", "json_api", "Json", "JSON_API_"),  # would shadow the stdlib's json
        ("class", "class_api", "Class", "CLASS_API_"),  # a keyword
        ("Any", "any", "AnyClient", "ANY_"),  # the runtime imports typing.Any
        ("true", "true", "TrueClient", "TRUE_"),  # `True` is a keyword (found by the fuzzer)
        ("None", "none", "NoneClient", "NONE_"),
        ('x"; import os; "', "x_import_os", "XImportOs", "X_IMPORT_OS_"),
    ],
)
def test_names_from_the_title(title: str, package: str, client: str, prefix: str) -> None:
    names = names_from_title(title)
    assert (names.package, names.client_class, names.env_prefix) == (package, client, prefix)
    assert names.async_client_class == f"Async{client}"
    assert names.distribution == package.replace("_", "-")
    assert names.package.isidentifier() and not keyword.iskeyword(names.package)
    assert not keyword.iskeyword(names.client_class)


def test_a_long_title_gives_a_bounded_name() -> None:
    names = names_from_title("word " * 100)
    assert len(names.package) <= 40 and not names.package.endswith("_")
    assert names.client_class.isidentifier()


@pytest.mark.parametrize(
    ("servers", "expected"),
    [
        ([{"url": "https://api.example.com/"}], "https://api.example.com"),
        (
            [
                {
                    "url": "https://{r}.x.io/{v}",
                    "variables": {"r": {"default": "eu"}, "v": {"default": "v2"}},
                }
            ],
            "https://eu.x.io/v2",
        ),
        ([{"url": "https://{r}.x.io"}], None),  # a variable without a default
        ([{"url": "/api/v3"}], None),  # relative: no host to default to
        ([{"url": "ftp://x.io"}], None),
        ([{"url": "https://user:pw@x.io"}], None),  # credentials in a URL are refused
        ([], None),
    ],
)
def test_the_default_host_is_the_first_server(servers: list[Any], expected: str | None) -> None:
    assert server_default_url({"servers": servers}) == expected
    assert GeneratorConfig().for_spec({"servers": servers}).default_host == expected


def test_the_config_file_beside_the_spec_wins_over_the_title(tmp_path: Path) -> None:
    (tmp_path / "posthog-codegen.toml").write_text('package = "mine"\n', encoding="utf-8")
    config = resolve_config(None, tmp_path / "spec.yaml", {"info": {"title": "Other API"}})
    assert (config.package, config.distribution, config.client_class) == (
        "mine",
        "mine",
        "OtherApi",
    )


def test_posthog_config_keeps_todays_names() -> None:
    config = resolve_config(None, ROOT / "spec" / "posthog.yaml", {"info": {"title": "X"}})
    assert (config.package, config.client_class, config.async_client_class) == (
        "posthog_api",
        "PostHog",
        "AsyncPostHog",
    )
    assert (config.env_prefix, config.distribution) == ("POSTHOG_", "posthog-api")
    assert config.auth_names == (AuthName("PersonalAPIKeyAuth", "api_key", "PERSONAL_API_KEY"),)


def test_flags_win_over_the_file() -> None:
    settings = ConfigSettings(package="a", client_class="A", env_prefix="A_").with_flags(
        package="b", client_class="B", env_prefix="B_"
    )
    config = settings.resolve({})
    assert (config.package, config.client_class, config.async_client_class) == ("b", "B", "AsyncB")
    assert config.env_prefix == "B_"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('pakage = "x"\n', "pakage: unknown key"),
        ("package = 3\n", "package: 3 is not a lower-case Python package name"),
        ('package = "json"\n', "package: 'json' would shadow"),
        ('client_class = "lower"\n', "client_class: 'lower' is not a Python class name"),
        ('env_prefix = "lower_"\n', "env_prefix: 'lower_' is not upper-case"),
        ('version = "one"\n', "version: 'one' is not a PEP 440 version"),
        ('default_host = "ftp://x"\n', "default_host: 'ftp://x' is not an http(s) URL"),
        ('[auth.Key]\nargument = "Key"\n', "argument: 'Key' is not a lower-case Python"),
        ('[auth.Key]\nenv = "K"\n', "auth.Key.env: unknown key"),
        ("auth = 1\n", "auth: must be a table"),
        ("package =\n", "not valid TOML"),
    ],
)
def test_a_bad_config_file_is_one_line_naming_file_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "posthog-codegen.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_config_file(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_cli_reports_a_bad_config_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "c.toml"
    config.write_text('colour = "blue"\n', encoding="utf-8")
    spec = ROOT / "tests" / "features" / "servers_variables" / "spec.yaml"
    out = tmp_path / "out"
    assert main(["generate", "--spec", str(spec), "--out", str(out), "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {config}: colour: unknown key (known: async_client_class, auth,")
    assert err.count("\n") == 1
    assert main(["generate", "--spec", str(spec), "--out", str(out), "--client-name", "x y"]) == 2
    assert "--client-name: client_class: 'x y'" in capsys.readouterr().err
    assert not out.exists()


def test_cli_flags_name_the_package(tmp_path: Path) -> None:
    spec = ROOT / "tests" / "features" / "servers_variables" / "spec.yaml"
    args = ["generate", "--spec", str(spec), "--out", str(tmp_path), "--no-cache"]
    flags = ["--package-name", "gh", "--client-name", "GH", "--env-prefix", "GH_"]
    assert main([*args, *flags]) == 0
    client = (tmp_path / "gh" / "_client.py").read_text(encoding="utf-8")
    assert "class GH(SyncAPIClient)" in client and "class AsyncGH(AsyncAPIClient)" in client
    assert '"GH_API_KEY"' in client
    assert 'name = "gh"' in (tmp_path / "pyproject.toml").read_text(encoding="utf-8")


def test_the_exceptions_are_named_after_the_client(tmp_path: Path) -> None:
    spec = ROOT / "tests" / "features" / "servers_variables" / "spec.yaml"
    args = ["generate", "--spec", str(spec), "--out", str(tmp_path), "--no-cache"]
    assert main([*args, "--package-name", "gh", "--client-name", "GitHub"]) == 0
    script = (
        "import gh, gh._pagination, gh.testing\n"
        "assert not hasattr(gh, 'PostHogError')\n"
        "assert 'GitHubError' in gh.__all__\n"
        "assert issubclass(gh.NotFoundError, gh.GitHubError)\n"
        "assert issubclass(gh.ConfigurationError, gh.GitHubError)\n"
        "assert gh._pagination.GitHubError is gh.GitHubError\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    exceptions = (tmp_path / "gh" / "_exceptions.py").read_text(encoding="utf-8")
    assert "PostHogError" not in exceptions and "catch GitHubError to catch them all" in exceptions


@pytest.mark.parametrize(
    ("client", "error"),
    [
        ("PostHog", "PostHogError"),
        ("GitHub", "GitHubError"),
        ("APIStatus", "APIStatusClientError"),  # APIStatusError is one of the runtime's own
        ("Apistatus", "ApistatusClientError"),  # ruff sorts imports ignoring case
        ("RateLimit", "RateLimitClientError"),
    ],
)
def test_the_error_base_never_takes_a_runtime_exception_name(client: str, error: str) -> None:
    assert GeneratorConfig(client_class=client).error_class == error


def test_the_runtime_exception_names_are_the_ones_the_runtime_defines() -> None:
    """generator.config keeps a copy of the runtime's exception names; it must stay true."""
    tree = ast.parse((ROOT / "generated" / "posthog_api" / "_exceptions.py").read_text())
    defined = {
        node.name.lower()
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name.endswith("Error")
    }
    assert defined - {"posthogerror"} == config_module._RUNTIME_EXCEPTIONS


def _schemes(raw: dict[str, Any], config: GeneratorConfig | None = None) -> list[tuple[str, ...]]:
    warnings: list[str] = []
    doc = {"components": {"securitySchemes": raw}}
    found = security_schemes(
        doc, config or GeneratorConfig(env_prefix="P_"), lambda p, m: warnings.append(m)
    )
    return [(s.name, s.kind, s.argument, s.env_var, s.parameter) for s in found]


def test_one_token_scheme_is_called_api_key() -> None:
    assert _schemes({"Token": {"type": "http", "scheme": "bearer"}}) == [
        ("Token", "bearer", "api_key", "P_API_KEY", "")
    ]
    assert _schemes({"K": {"type": "apiKey", "in": "header", "name": "X-Key"}}) == [
        ("K", "header", "api_key", "P_API_KEY", "X-Key")
    ]


def test_several_schemes_are_named_after_themselves_and_avoid_client_arguments() -> None:
    found = _schemes(
        {
            "personalAPIKeyAuth": {"type": "http", "scheme": "bearer"},
            "host": {"type": "apiKey", "in": "query", "name": "host"},
            "openid": {"type": "openIdConnect", "openIdConnectUrl": "https://x/.well-known"},
            "basic": {"type": "http", "scheme": "basic"},
            "mtls": {"type": "mutualTLS"},
        }
    )
    assert found == [
        ("personalAPIKeyAuth", "bearer", "personal_api_key_auth", "P_PERSONAL_API_KEY_AUTH", ""),
        ("host", "query", "host_2", "P_HOST_2", "host"),
        ("openid", "bearer", "openid", "P_OPENID", ""),
        ("basic", "basic", "basic", "P_BASIC", ""),
    ]


def test_security_alternatives_and_defaults() -> None:
    doc: dict[str, Any] = {
        "security": [{"a": []}],
        "components": {
            "securitySchemes": {
                "a": {"type": "http", "scheme": "bearer"},
                "b": {"type": "http", "scheme": "basic"},
            }
        },
    }
    warnings: list[str] = []
    schemes = security_schemes(doc, GeneratorConfig(), lambda p, m: warnings.append(m))

    def of(raw: dict[str, Any]) -> Any:
        return operation_security(
            raw, doc, schemes, "/paths/~1x/get", lambda p, m: warnings.append(p)
        )

    assert of({}) == (("a",),)  # the top-level default
    assert of({"security": []}) == ((),)
    assert of({"security": [{"a": [], "b": []}, {}]}) == (("a", "b"), ())
    assert of({"security": [{"nope": []}, {"b": []}]}) == (("b",),)
    assert warnings == ["/paths/~1x/get/security/0"]
    assert operation_security({}, {}, schemes, "/p", warnings.append) == ((),)
