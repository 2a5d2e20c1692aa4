"""The CLI as a user meets it: one-line errors, exit codes, --check, nothing half-written."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.cli import main
from generator.emit import format as format_module
from generator.emit.manifest import MANIFEST
from tests.goldens import FEATURES, SPEC

SMALL_SPEC = FEATURES / "pagination" / "spec.yaml"

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def _run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


def write_spec(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


VALID_HEAD = """openapi: 3.1.0
info: {title: t, version: "1"}
paths: {}
"""

BAD_INPUTS = [
    pytest.param(
        "openapi: 3.1.0\ninfo: {title: t\npaths: {}\n",
        "spec.yaml:3:6: invalid YAML: did not find expected ',' or '}'",
        id="malformed-yaml-names-line-and-column",
    ),
    pytest.param(
        "openapi: 3.1.0\ninfo: {title: t, version: 1}\npaths: {}\n",
        r"spec.yaml:2: #/info/version: 1 is not of type 'string'",
        id="invalid-spec-names-pointer-and-line",
    ),
    pytest.param(
        VALID_HEAD.replace(
            "paths: {}",
            "paths:\n  /a/:\n    get:\n      responses:\n"
            "        '200':\n          description: ok\n          content:\n"
            "            application/json:\n"
            "              schema: {$ref: '#/components/schemas/Nope'}",
        ),
        r"unresolved $ref '#/components/schemas/Nope'",
        id="unresolved-ref-names-ref-and-place",
    ),
    pytest.param("", "spec.yaml: the file is empty", id="empty"),
    pytest.param("- just\n- a list\n", "the document is a list, not a mapping", id="not-a-mapping"),
    pytest.param(
        "openapi: 2.0\n",
        "spec.yaml:#/openapi: missing 'openapi' version field",
        id="openapi-version-not-a-string",
    ),
    pytest.param("openapi: '4.0.0'\n", "OpenAPI 4.0.0 is not supported", id="unknown-version"),
    pytest.param(
        VALID_HEAD.replace("paths: {}", "paths:\n  /a/{b/:\n    get:\n      responses: {}"),
        "unbalanced braces in path '/a/{b/'",
        id="unbalanced-path-braces",
    ),
    pytest.param(
        VALID_HEAD.replace("paths: {}", "paths:\n  /a/:\n    $ref: 'https://evil.example/x.yaml'"),
        "remote $ref 'https://evil.example/x.yaml' is not supported",
        id="remote-ref-refused",
    ),
    pytest.param(
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n"
            for p, c in zip("abcdefg", "bcdefgh", strict=True)
        ),
        "nodes (a YAML alias bomb?)",
        id="yaml-alias-bomb",
    ),
    pytest.param(
        "a: " + "[" * 300 + "]" * 300 + "\n", "nested deeper than 200 levels", id="deep-nesting"
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD_INPUTS)
def test_bad_spec_gives_one_line_error_exit_2_and_writes_nothing(
    run: Run, tmp_path: Path, text: str, message: str
) -> None:
    spec = write_spec(tmp_path, text)
    out_dir = tmp_path / "out"
    code, _out, err = run("generate", "--spec", str(spec), "--out", str(out_dir))
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert message in err
    assert "Traceback" not in err
    assert not out_dir.exists()


def test_not_utf8(run: Run, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(b"openapi: \xff\xfe\n")
    code, _, err = run("validate", "--spec", str(spec))
    assert code == 2
    assert "not UTF-8" in err


def test_missing_file(run: Run, tmp_path: Path) -> None:
    code, _, err = run("validate", "--spec", str(tmp_path / "nope.yaml"))
    assert (code, err) == (2, f"error: {tmp_path / 'nope.yaml'}: no such file\n")


def test_relative_file_refs_are_inlined(run: Run, tmp_path: Path) -> None:
    (tmp_path / "schemas.yaml").write_text(
        "Thing:\n  type: object\n  properties:\n    id: {type: integer}\n"
        "    child: {$ref: '#/Child'}\n"
        "Child:\n  type: object\n  properties:\n    name: {type: string}\n"
    )
    spec = write_spec(
        tmp_path,
        VALID_HEAD.replace(
            "paths: {}",
            "paths:\n  /things/:\n    get:\n      operationId: things_list\n"
            "      responses:\n        '200':\n          description: ok\n          content:\n"
            "            application/json:\n              schema: {$ref: 'schemas.yaml#/Thing'}",
        ),
    )
    out_dir = tmp_path / "out"
    code, _out, err = run("generate", "--spec", str(spec), "--out", str(out_dir))
    assert code == 0, err
    resource = (out_dir / "posthog_api/resources/default.py").read_text()
    assert "def things_list(" in resource


def test_error_leaves_previous_output_untouched(run: Run, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    assert run("generate", "--spec", str(SMALL_SPEC), "--out", str(out_dir))[0] == 0
    before = {p: p.read_bytes() for p in out_dir.rglob("*") if p.is_file()}
    broken = write_spec(tmp_path, "openapi: 3.1.0\ninfo: [\n")
    assert run("generate", "--spec", str(broken), "--out", str(out_dir))[0] == 2
    after = {p: p.read_bytes() for p in out_dir.rglob("*") if p.is_file()}
    assert after == before


def test_check_reports_stale_missing_and_extra_and_writes_nothing(run: Run, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    assert run("generate", "--spec", str(SMALL_SPEC), "--out", str(out_dir))[0] == 0
    assert run("generate", "--check", "--spec", str(SMALL_SPEC), "--out", str(out_dir))[0] == 0

    (out_dir / "posthog_api/_client.py").write_text("# edited by hand\n")
    (out_dir / "posthog_api/models/event.py").unlink()
    (out_dir / "posthog_api/leftover.py").write_text("")
    code, out, _ = run("generate", "--check", "--spec", str(SMALL_SPEC), "--out", str(out_dir))
    assert code == 1
    assert f"stale: {out_dir / 'posthog_api/_client.py'}" in out
    assert f"missing: {out_dir / 'posthog_api/models/event.py'}" in out
    assert f"extra: {out_dir / 'posthog_api/leftover.py'}" in out
    assert (out_dir / "posthog_api/_client.py").read_text() == "# edited by hand\n"


def test_regenerate_removes_files_that_no_longer_belong(run: Run, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    assert run("generate", "--spec", str(SMALL_SPEC), "--out", str(out_dir))[0] == 0
    (out_dir / "posthog_api/models/stale_model.py").write_text("x = 1\n")
    assert run("generate", "--spec", str(SMALL_SPEC), "--out", str(out_dir))[0] == 0
    assert not (out_dir / "posthog_api/models/stale_model.py").exists()
    assert (out_dir / MANIFEST).is_file()


def test_refuses_to_empty_a_folder_it_did_not_make(run: Run, tmp_path: Path) -> None:
    out_dir = tmp_path / "project"
    out_dir.mkdir()
    (out_dir / "precious.txt").write_text("keep me")
    code, _, err = run("generate", "--spec", str(SMALL_SPEC), "--out", str(out_dir))
    assert code == 2
    assert "not made by posthog-codegen" in err
    assert (out_dir / "precious.txt").read_text() == "keep me"


def test_defaults_work_with_no_arguments(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "spec").mkdir()
    shutil.copy(SPEC, tmp_path / "spec" / "posthog.yaml")
    monkeypatch.chdir(tmp_path)
    code, out, err = run("generate")
    assert code == 0, err
    assert "generated 44 operations" in out
    assert (tmp_path / "generated/posthog_api/__init__.py").is_file()


def test_validate_command(run: Run) -> None:
    code, out, _ = run("validate", "--spec", str(SPEC))
    assert (code, out) == (0, f"{SPEC}: valid (44 operations)\n")


def test_debug_flag_shows_the_traceback(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "")
    with pytest.raises(Exception, match="the file is empty"):
        main(["--debug", "validate", "--spec", str(spec)])


def test_regenerate_reuses_unchanged_files_and_formats_only_edited_ones(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out_dir = tmp_path / "out"
    monkeypatch.setenv("POSTHOG_CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    assert run("generate", "--spec", str(SMALL_SPEC), "--out", str(out_dir))[0] == 0
    (tmp_path / "cache").rename(tmp_path / "old-cache")  # only the output folder may help now

    formatted: list[str] = []
    real = format_module._format_one

    def counting(item: tuple[str, str, int]) -> tuple[str, str]:
        formatted.append(item[0])
        return real(item)

    monkeypatch.setattr(format_module, "_format_one", counting)
    monkeypatch.setattr(format_module, "_PARALLEL_THRESHOLD", 10**9)  # count in this process
    assert run("generate", "--spec", str(SMALL_SPEC), "--out", str(out_dir))[0] == 0
    assert formatted == []

    client = out_dir / "posthog_api/_client.py"
    client.write_text(client.read_text() + "# edited by hand\n")
    assert run("generate", "--spec", str(SMALL_SPEC), "--out", str(out_dir))[0] == 0
    assert formatted == ["posthog_api/_client.py"]
    assert "edited by hand" not in client.read_text()
