"""The spec corpus (tests/corpus/): one small spec per OpenAPI construct and per hostile input.

Every valid spec is generated once per session into its own package (`corpus_<case>`), and all
packages are checked together, in parallel: one `mypy --strict`, one `ruff check` and one
`black --check` (which proves the ruff engine of generator.emit.format keeps black's style). Each
case then imports its package and checks what its `x-corpus` block lists: examples that must
round-trip through from_dict/to_dict, invalid data with the path the error must name, the
warnings the generator must give (no more, no fewer), and expected class or method names.

Specs under tests/corpus/errors/ must fail with the one-line error listed in ERROR_CASES.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from generator.cli import main
from generator.config import GeneratorConfig
from generator.emit.write import write_tree
from generator.ir.model import Api
from generator.pipeline import generate
from generator.spec.load import load_spec

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
ERRORS = CORPUS / "errors"
RUFF_RULES = "E,F,W,I,B,UP,SIM,RUF"
PWNED = "CORPUS_PWNED"  # the file hostile_code.yaml's payloads would create

ERROR_CASES = {
    "alias_bomb.yaml": "more than 5,000,000 nodes (a YAML alias bomb?)",
    "deep_nesting.json": "nested deeper than 200 levels",
    "deep_nesting.yaml": "nested deeper than 200 levels",
    "empty.yaml": "the file is empty",
    "file_ref_cycle.yaml": "circular file $ref 'file_ref_cycle_other.yaml#/item'",
    "file_ref_escape.yaml": "points outside the spec's folder",
    "invalid_json.json": "invalid JSON: Expecting property name enclosed in double quotes",
    "invalid_openapi.yaml": "#/info: 'version' is a required property",
    "not_mapping.json": "the document is a list, not a mapping",
    "not_utf8.yaml": "not UTF-8 (byte 32: 0xe9)",
    "remote_ref.yaml": "remote $ref 'https://evil.example/schema.yaml#/X' is not supported",
    "scalar.yaml": "the document is a string, not a mapping",
    "unresolved_ref.yaml": "unresolved $ref '#/components/schemas/Missing'",
    "utf16.json": "not UTF-8 (byte 0: 0xff)",
}


def valid_specs() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.suffix in (".yaml", ".json") and p.is_file())


@dataclass
class Case:
    spec: Path
    api: Api
    out: Path  # the output folder; the package is out / package
    package: str
    expect: dict[str, Any]

    def module(self, name: str = "") -> ModuleType:
        return importlib.import_module(f"{self.package}.{name}" if name else self.package)


@dataclass
class Corpus:
    root: Path
    cases: dict[str, Case]
    reports: dict[str, str]  # tool -> its output

    def problems(self, tool: str, case: Case) -> list[str]:
        """The lines of a tool's report about one case's package."""
        marker = f"{case.out.name}{os.sep}{case.package}"
        return [line for line in self.reports[tool].splitlines() if marker in line]


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    root = tmp_path_factory.mktemp("corpus")
    cases = {}
    for spec in valid_specs():
        package = f"corpus_{spec.stem}"
        result = generate(spec, GeneratorConfig(package=package), cache_dir=root / ".black-cache")
        out = root / spec.stem
        write_tree(out, result.files)
        expect = load_spec(spec).data.get("x-corpus") or {}
        cases[spec.stem] = Case(spec, result.api, out, package, expect)
        sys.path.insert(0, str(out))
    packages = [str(case.out / case.package) for case in cases.values()]
    return Corpus(root, cases, _check_all(root, packages))


def _check_all(root: Path, packages: list[str]) -> dict[str, str]:
    """mypy, ruff and black over every package at once, the three running side by side."""
    python = sys.executable
    commands = {
        "mypy": [
            python, "-m", "mypy", "--strict", "--python-version", "3.11",
            "--cache-dir", str(root / ".mypy-cache"), *packages,
        ],
        "ruff": [
            python, "-m", "ruff", "check", "--isolated", "--quiet", f"--select={RUFF_RULES}",
            "--target-version=py311", "--line-length=100", "--output-format=concise", *packages,
        ],
        "black": [
            python, "-m", "black", "--check", "--line-length=100", "--target-version=py311",
            *packages,
        ],
    }  # fmt: skip
    running = {
        tool: subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for tool, command in commands.items()
    }
    return {tool: process.communicate(timeout=300)[0] for tool, process in running.items()}


CASE_NAMES = [spec.stem for spec in valid_specs()]


def test_the_checkers_saw_every_file(corpus: Corpus) -> None:
    """A checker that crashed or found nothing to check must not pass for a clean bill."""
    files = sum(1 for path in corpus.root.glob("*/corpus_*/**/*.py"))
    assert f"in {files} source files" in corpus.reports["mypy"].splitlines()[-1]
    assert f"{files} files would be left unchanged" in corpus.reports["black"]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_generated_package_type_checks_lints_and_is_black_formatted(
    corpus: Corpus, name: str
) -> None:
    case = corpus.cases[name]
    assert corpus.problems("mypy", case) == []
    assert corpus.problems("ruff", case) == []
    assert [line for line in corpus.problems("black", case) if "would reformat" in line] == []


@pytest.mark.parametrize("name", CASE_NAMES)
def test_examples_round_trip_and_bad_data_names_its_path(corpus: Corpus, name: str) -> None:
    case = corpus.cases[name]
    models = case.module("models")
    errors = case.module("_exceptions")
    for example in case.expect.get("roundtrip", []):
        model = getattr(models, example["model"])
        assert model.from_dict(example["data"]).to_dict() == example["data"]
    for example in case.expect.get("invalid", []):
        model = getattr(models, example["model"])
        with pytest.raises(errors.ResponseValidationError) as caught:
            model.from_dict(example["data"], strict=True)
        assert caught.value.path == example["path"], caught.value
        # By default the same disagreement is kept and recorded, not raised.
        drift = model.from_dict(example["data"]).spec_drift
        assert example["path"] in [d.path for d in drift], drift


@pytest.mark.parametrize("name", CASE_NAMES)
def test_warnings_are_exactly_the_expected_ones(corpus: Corpus, name: str) -> None:
    """Never silent, never noisy: each listed (pointer, words) matches one warning."""
    case = corpus.cases[name]
    expected = case.expect.get("warnings", [])
    warnings = [f"#{w.pointer}: {w.message}" for w in case.api.warnings]
    for pointer, words in expected:
        assert any(w.startswith(f"#{pointer}: ") and words in w for w in warnings), warnings
    assert len(warnings) == len(expected), warnings


@pytest.mark.parametrize("name", CASE_NAMES)
def test_names_are_the_expected_ones(corpus: Corpus, name: str) -> None:
    case = corpus.cases[name]
    api = case.api
    if "models" in case.expect:
        assert set(case.expect["models"]) <= {m.name for m in api.models}
    if "resources" in case.expect:
        assert {r.attribute for r in api.resources} == set(case.expect["resources"])
    for attribute, methods in case.expect.get("methods", {}).items():
        resource = next(r for r in api.resources if r.attribute == attribute)
        assert [op.method_name for op in resource.operations] == methods


def test_hostile_text_never_runs(corpus: Corpus) -> None:
    """Payloads in names, descriptions, enums, defaults and examples stay inert literals."""
    case = corpus.cases["hostile_code"]
    case.module()
    case.module("testing").fixture_transport()
    models = case.module("models")
    evil = models.Evil.from_dict({"def": "__import__('os').system('touch CORPUS_PWNED')"})
    assert evil.def_ == "__import__('os').system('touch CORPUS_PWNED')"
    assert not (Path.cwd() / PWNED).exists()
    assert not list(corpus.root.rglob(PWNED))


def test_path_like_names_stay_inside_the_output_folder(corpus: Corpus) -> None:
    case = corpus.cases["hostile_paths"]
    written = [p for p in case.out.rglob("*") if p.is_file()]
    assert written and all(p.resolve().is_relative_to(case.out.resolve()) for p in written)
    assert not (corpus.root / "etc").exists()
    assert {r.module for r in case.api.resources} == {"etc_passwd", "tmp_absolute", "windows"}


def test_identifiers_keep_their_wire_names(corpus: Corpus) -> None:
    case = corpus.cases["identifiers"]
    weird = case.module("models").Weird
    fields = weird.__dataclass_fields__
    assert {"class_", "self_", "dashed_name", "dashed_name_2", "dotted_name", "with_space"} <= set(
        fields
    )
    assert {"n1st", "naive", "value", "str_", "list_", "field_", "dict_", "type", "a", "a_2"} <= (
        set(fields)
    )
    resource_classes = {r.attribute: r.class_name for r in case.api.resources}
    assert resource_classes["class_"] == "ClassResource2"  # a model is called ClassResource


# -- requests the generated client sends ---------------------------------------------------


def _client(case: Case, respond: Any) -> tuple[Any, list[Any]]:
    import httpx

    sent: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        request.read()
        sent.append(request)
        response: httpx.Response = respond(request)
        return response

    package = case.module()
    client = package.PostHog(
        api_key="k", host="https://api.example.com", transport=httpx.MockTransport(handle)
    )
    return client, sent


def test_multipart_upload(corpus: Corpus) -> None:
    import httpx

    client, sent = _client(
        corpus.cases["uploads"], lambda r: httpx.Response(201, json={"id": "a", "size": 3})
    )
    stored = client.files.upload(
        file=b"abc", attachments=[("a.txt", b"x"), ("b.bin", b"y")], title="t", public=True
    )
    assert (stored.id, stored.size) == ("a", 3)
    request = sent[0]
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    body = request.content
    assert b'name="file"; filename="upload"\r\nContent-Type: application/octet-stream' in body
    assert b'name="attachments"; filename="a.txt"' in body
    assert b'name="attachments"; filename="b.bin"' in body
    assert b'name="title"\r\n\r\nt\r\n' in body and b'name="public"\r\n\r\ntrue\r\n' in body
    assert b'name="count"' not in body  # left out: not sent


def test_raw_binary_body_and_responses(corpus: Corpus) -> None:
    import httpx

    def respond(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/content") and request.method == "GET":
            return httpx.Response(200, content=b"\x00\xff")
        if request.url.path == "/notes/":
            return httpx.Response(200, text="a,b\n1,2\n")
        return httpx.Response(204)

    client, sent = _client(corpus.cases["uploads"], respond)
    client.files.replace(id="a b", body=b"\x01\x02")
    assert sent[0].headers["content-type"] == "application/octet-stream"
    assert sent[0].content == b"\x01\x02" and sent[0].url.raw_path == b"/files/a%20b/content"
    assert client.files.download(id="x") == b"\x00\xff"
    assert sent[1].headers["accept"] == "application/octet-stream"
    assert client.files.notes_create(body="hello") == "a,b\n1,2\n"
    assert sent[2].headers["content-type"] == "text/plain" and sent[2].content == b"hello"


def test_form_body(corpus: Corpus) -> None:
    import datetime

    import httpx

    client, sent = _client(corpus.cases["form_body"], lambda r: httpx.Response(200, json={}))
    client.login.create(
        username="u",
        password="p&q",
        remember=False,
        scopes=["a", "b"],
        when=datetime.datetime(2024, 1, 2, tzinfo=datetime.UTC),
    )
    request = sent[0]
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.content == (
        b"username=u&password=p%26q&remember=false&scopes=a&scopes=b"
        b"&when=2024-01-02T00%3A00%3A00%2B00%3A00"
    )


def test_parameter_styles_headers_and_cookies(corpus: Corpus) -> None:
    import httpx

    client, sent = _client(corpus.cases["parameters"], lambda r: httpx.Response(200, json={}))
    client.search.run(
        kind=["a", "b"],
        tags=["x", "y"],
        ids=[1, 2],
        piped=["p", "q"],
        spaced=["s", "t"],
        filter={"name": "n", "age": 3},
        point={"x": 1, "y": 2},
        session="abc def",
        x_versions=[1, 2],
        x_trace="t",
        q={"term": "hi"},
        strict=True,
    )
    request = sent[0]
    assert request.url.raw_path.startswith(b"/search/a%2Cb/?")
    assert list(request.url.params.multi_items()) == [
        ("tags", "x"),
        ("tags", "y"),
        ("ids", "1,2"),
        ("piped", "p|q"),
        ("spaced", "s t"),
        ("filter[name]", "n"),
        ("filter[age]", "3"),
        ("x", "1"),
        ("y", "2"),
        ("q", '{"term":"hi"}'),
        ("strict", "true"),
    ]
    assert request.headers["x-versions"] == "1,2"
    assert request.headers["x-trace"] == "t"
    assert request.headers["cookie"] == "session=abc%20def"


def test_responses(corpus: Corpus) -> None:
    import httpx

    def respond(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/reports/" and request.method == "GET":
            return httpx.Response(200, json=[{"id": 1}, {"id": 2}])
        if path.endswith("/export"):
            return httpx.Response(200, text="id\n1\n")
        if path == "/reports/1":
            return httpx.Response(200, json={"id": 1})
        return httpx.Response(204)

    client, sent = _client(corpus.cases["responses"], respond)
    assert [r.id for r in client.reports.list()] == [1, 2]
    assert client.reports.retrieve(id=1).id == 1
    assert client.reports.export(id=1) == "id\n1\n"
    assert sent[2].headers["accept"] == "text/csv"
    assert client.reports.purge() is None
    assert client.reports.touch(id=1) is None


def test_union_return_value(corpus: Corpus) -> None:
    import httpx

    client, _ = _client(
        corpus.cases["one_of_discriminator"],
        lambda r: httpx.Response(200, json={"petType": "dog", "bark": True}),
    )
    pet = client.owners.pets_retrieve(id=1)
    assert type(pet).__name__ == "Dog" and pet.bark is True


# -- inputs that must be refused -----------------------------------------------------------


@pytest.mark.parametrize(("name", "message"), sorted(ERROR_CASES.items()))
def test_refused_with_one_line(
    name: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    started = time.perf_counter()
    code = main(["generate", "--spec", str(ERRORS / name), "--out", str(out)])
    elapsed = time.perf_counter() - started
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert message in err
    assert "Traceback" not in err
    assert not out.exists()
    assert elapsed < 5


def test_every_error_case_is_listed() -> None:
    on_disk = {p.name for p in ERRORS.iterdir() if not p.stem.endswith("_other")}
    assert on_disk == set(ERROR_CASES)


def test_alias_bomb_is_refused_with_bounded_memory() -> None:
    """A billion-laughs file (10^9 nodes expanded) costs the loader a few MB, not gigabytes."""
    # The peak is read from VmHWM, which starts afresh at exec: ru_maxrss would carry over the
    # size of this (forked, by then large) pytest process.
    script = (
        "import re, sys; from generator.cli import main;"
        f"code = main(['validate', '--spec', {str(ERRORS / 'alias_bomb.yaml')!r}]);"
        "status = open('/proc/self/status').read();"
        "print(re.search(r'VmHWM:\\s+(\\d+)', status).group(1)); sys.exit(code)"
    )
    started = time.perf_counter()
    # A clean environment and an empty piece cache: nothing left by other tests may change
    # what the loader does.
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTHOG_")}
    with tempfile.TemporaryDirectory() as cache:
        env["POSTHOG_CODEGEN_CACHE_DIR"] = cache
        result = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
            env=env,
        )
    assert result.returncode == 2, result.stderr
    peak_kib = int(result.stdout.split()[-1])
    assert peak_kib < 200_000, f"peak RSS {peak_kib} KiB"
    assert time.perf_counter() - started < 10
    assert re.search(r"alias bomb", result.stderr)
