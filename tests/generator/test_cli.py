"""The CLI as a user meets it: one-line errors, exit codes, --check, nothing half-written."""

from __future__ import annotations

import argparse
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from generator.cli import build_parser, main
from generator.emit.manifest import MANIFEST, sha256
from generator.errors import SpecError
from generator.spec.load import HTTP_METHODS
from tests.goldens import FEATURES, SPEC

SMALL_SPEC = FEATURES / "pagination" / "spec.yaml"  # no config: package pagination_feature

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def _run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


def spec_operation_count() -> int:
    """Counted from the document itself, so adding an operation needs no edit here."""
    document = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    return sum(method in item for item in document["paths"].values() for method in HTTP_METHODS)


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
        r"spec.yaml:2:18: #/info/version: 1 is not of type 'string'",
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
        r"spec.yaml:11:24: #/paths/~1a~1/get/responses/200/content/application~1json/schema/$ref:"
        " unresolved $ref '#/components/schemas/Nope'",
        id="unresolved-ref-names-ref-and-place",
    ),
    pytest.param("", "spec.yaml: the file is empty", id="empty"),
    pytest.param("- just\n- a list\n", "the document is a list, not a mapping", id="not-a-mapping"),
    pytest.param(
        "openapi: 2.0\n",
        "spec.yaml:1:1: #/openapi: the 'openapi' version must be a string: quote it ('2.0')",
        id="openapi-version-not-a-string",
    ),
    pytest.param("openapi: '4.0.0'\n", "OpenAPI 4.0.0 is not supported", id="unknown-version"),
    pytest.param(
        VALID_HEAD.replace("paths: {}", "paths:\n  /a/{b/:\n    get:\n      responses: {}"),
        "spec.yaml:4:3: #/paths/~1a~1{b~1: unbalanced braces in path '/a/{b/'",
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
    resource = (out_dir / "t/resources/default.py").read_text()
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

    (out_dir / "pagination_feature/_client.py").write_text("# edited by hand\n")
    (out_dir / "pagination_feature/models/event.py").unlink()
    (out_dir / "pagination_feature/leftover.py").write_text("")
    code, out, _ = run("generate", "--check", "--spec", str(SMALL_SPEC), "--out", str(out_dir))
    assert code == 1
    assert f"stale: {out_dir / 'pagination_feature/_client.py'}" in out
    assert f"missing: {out_dir / 'pagination_feature/models/event.py'}" in out
    assert f"extra: {out_dir / 'pagination_feature/leftover.py'}" in out
    assert (out_dir / "pagination_feature/_client.py").read_text() == "# edited by hand\n"


def test_regenerate_removes_files_that_no_longer_belong(run: Run, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    assert run("generate", "--spec", str(SMALL_SPEC), "--out", str(out_dir))[0] == 0
    (out_dir / "pagination_feature/models/stale_model.py").write_text("x = 1\n")
    assert run("generate", "--spec", str(SMALL_SPEC), "--out", str(out_dir))[0] == 0
    assert not (out_dir / "pagination_feature/models/stale_model.py").exists()
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
    assert f"generated {spec_operation_count()} operations" in out
    assert (tmp_path / "generated/posthog_api/__init__.py").is_file()


def test_validate_command(run: Run) -> None:
    code, out, _ = run("validate", "--spec", str(SPEC))
    assert (code, out) == (0, f"{SPEC}: valid ({spec_operation_count()} operations)\n")


def test_debug_flag_shows_the_traceback(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "")
    with pytest.raises(Exception, match="the file is empty"):
        main(["--debug", "validate", "--spec", str(spec)])


def test_check_renders_afresh_and_trusts_nothing_in_the_output_folder(
    run: Run, tmp_path: Path
) -> None:
    """A hand edit whose hash is also patched into the manifest is still stale (issue 12)."""
    out_dir = tmp_path / "out"
    assert run("generate", "--spec", str(SMALL_SPEC), "--out", str(out_dir))[0] == 0
    client = out_dir / "pagination_feature/_client.py"
    original = client.read_text()
    edited = original + "# edited by hand\n"
    client.write_text(edited)
    manifest = out_dir / MANIFEST
    manifest.write_text(manifest.read_text().replace(sha256(original), sha256(edited)))

    code, out, _ = run("generate", "--check", "--spec", str(SMALL_SPEC), "--out", str(out_dir))
    assert code == 1 and f"stale: {client}" in out
    assert run("generate", "--spec", str(SMALL_SPEC), "--out", str(out_dir))[0] == 0
    assert client.read_text() == original


def test_black_gives_the_same_files_as_ruff(run: Run, tmp_path: Path) -> None:
    """`--formatter black` is the reference; the default ruff engine must match it exactly."""
    ruff_out, black_out = tmp_path / "ruff", tmp_path / "black"
    assert run("generate", "--spec", str(SMALL_SPEC), "--out", str(ruff_out))[0] == 0
    args = ("--spec", str(SMALL_SPEC), "--out", str(black_out), "--formatter", "black")
    assert run("generate", *args)[0] == 0
    for path in ruff_out.rglob("*.py"):
        assert path.read_text() == (black_out / path.relative_to(ruff_out)).read_text(), path


# --- the CLI as documented -------------------------------------------------------------------

README = SPEC.parent.parent / "README.md"
FLAG = re.compile(r"--[a-z][a-z-]*")
CHOICES = re.compile(r"(--[a-z][a-z-]*) ([a-z]+(?:\\\|[a-z]+)+)")


def readme_cli_rows() -> list[str]:
    """The rows of README's "CLI reference" table."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## CLI reference", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert rows, "README has no CLI table"
    return rows


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def options(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    found = {}
    for action in parser._actions:
        for flag in action.option_strings:
            if flag.startswith("--") and flag not in ("--help", "--debug"):
                found[flag] = action
    return found


def test_readme_cli_table_lists_every_command_and_flag_the_parser_has() -> None:
    documented: dict[str, set[str]] = {}
    for row in readme_cli_rows():
        command = row.split("`")[1].split()[0]
        documented.setdefault(command, set()).update(FLAG.findall(row))
    commands = subcommands()
    assert set(commands) <= documented.keys(), "README lacks a row for a command"
    for name, parser in commands.items():
        assert documented[name] == set(options(parser)), f"README vs `{name} --help`"
    top = {flag for action in build_parser()._actions for flag in action.option_strings}
    assert {"--debug", "--version"} <= documented.keys() & top


def test_readme_choices_are_the_parsers_choices() -> None:
    checked = 0
    for row in readme_cli_rows():
        command = row.split("`")[1].split()[0]
        if command.startswith("--"):
            continue  # a global flag's row
        parser_options = options(subcommands()[command])
        for flag, values in CHOICES.findall(row):
            assert set(values.split("\\|")) == set(parser_options[flag].choices), (command, flag)
            checked += 1
    assert checked >= 5  # --formatter, diff/lint --format and --fail-on, --rules, probe --format


def test_debug_works_after_the_command_too(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "")
    with pytest.raises(SpecError, match="the file is empty"):
        main(["validate", "--spec", str(spec), "--debug"])


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert re.fullmatch(r"posthog-codegen \d+\.\d+\.\d+\S*\n", capsys.readouterr().out)


def test_no_arguments_prints_help(run: Run) -> None:
    code, _out, err = run()
    assert code == 2
    assert err.startswith("usage: posthog-codegen")
    for command in subcommands():
        assert command in err


def test_several_problems_are_listed_one_per_line_at_most_ten(run: Run, tmp_path: Path) -> None:
    bad = "".join(
        f"    P{i}: {{type: object, required: [x], properties: {{x: {{type: nope}}}}}}\n"
        for i in range(14)
    )
    spec = write_spec(tmp_path, VALID_HEAD + "components:\n  schemas:\n" + bad)
    code, _, err = run("validate", "--spec", str(spec))
    lines = err.splitlines()
    assert code == 2
    assert len(lines) == 11, err
    assert all(line.startswith(f"error: {spec}:") for line in lines)
    assert lines[0].startswith(f"error: {spec}:6:56: #/components/schemas/P0/properties/x/type: ")
    assert lines[-1] == f"error: {spec}: 4 more problems not listed"


def test_warnings_carry_line_and_column(run: Run, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, (FEATURES.parent / "corpus" / "circular.yaml").read_text())
    code, _, err = run("validate", "--spec", str(spec))
    assert code == 0
    assert re.search(rf"warning: {re.escape(str(spec))}:\d+:\d+: #/components/schemas/", err), err
