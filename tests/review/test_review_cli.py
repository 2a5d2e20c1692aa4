"""`diff` and `lint` entry points as the CLI calls them: formats, exit codes, user errors, git."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from review_specs import LIST, at, base_spec, parameter, ref, schema, write

import generator.background as background
import generator.review.report as report_module
from generator.errors import SpecError
from generator.review import arguments, commands, house_rules, probe_report, sides
from generator.spec.partial_validation import identical_entries, partial_document


def _run(command: str, argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    if command == "diff":
        arguments.add_diff_arguments(parser)
        code = commands.run_diff(parser.parse_args(argv))
    else:
        arguments.add_lint_arguments(parser)
        code = commands.run_lint(parser.parse_args(argv))
    return code, capsys.readouterr().out


def test_the_command_line_offers_exactly_the_formats_and_rule_sets_there_are() -> None:
    """The choices are spelled out in a light module (generator.review.arguments) so that
    `generate` does not import the review machinery; they must name what really exists."""
    assert sorted(arguments.REPORT_FORMATS) == sorted(report_module.RENDERERS)
    assert sorted(arguments.PROBE_FORMATS) == sorted(probe_report.RENDERERS)
    assert sorted(arguments.RULE_SET_NAMES) == sorted(house_rules.RULE_SETS)


def test_generate_does_not_import_the_review_machinery() -> None:
    code = (
        "import sys, generator.cli; "
        "print(sorted(m for m in sys.modules if m.startswith('generator.review.')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "['generator.review.arguments']"


def _pair(tmp_path: Path, mutate: Callable[[dict[str, Any]], None]) -> list[str]:
    head = base_spec()
    mutate(head)
    return [
        str(write(tmp_path / "base.yaml", base_spec())),
        str(write(tmp_path / "head.yaml", head)),
    ]


def _remove_first_name(doc: dict[str, Any]) -> None:
    del schema(doc, "UserBasic")["properties"]["first_name"]


def _add_enum_value(doc: dict[str, Any]) -> None:
    schema(doc, "ResultKindEnum")["enum"].append("paths")


# --- formats --------------------------------------------------------------------------------


def test_json_output_has_the_stable_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run("diff", [*_pair(tmp_path, _add_enum_value), "--format", "json"], capsys)
    report = json.loads(out)
    assert code == 0  # warnings and info only; default --fail-on breaking
    assert report["schema_version"] == 1
    assert report["command"] == "diff"
    assert report["summary"] == {"breaking": 0, "warning": 3, "info": 1, "total": 4}
    fields = ["severity", "rule", "operation", "base_pointer", "head_pointer", "message"]
    assert all(list(finding) == fields for finding in report["findings"])
    severities = [finding["severity"] for finding in report["findings"]]
    assert severities == ["warning", "warning", "warning", "info"]
    operations = [finding["operation"] for finding in report["findings"][:3]]
    assert operations == sorted(operations)
    assert report["findings"][0]["base_pointer"] == "/components/schemas/ResultKindEnum"
    titles = [(s["title"], s["status"]) for s in report["sections"]]
    assert titles == [("OpenAPI spec", "computed"), ("Python client API", "computed")]
    client = report["sections"][1]
    assert client["summary"]["info"] >= 1  # the enum gains a member in the client too


def test_json_output_is_deterministic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [*_pair(tmp_path, _remove_first_name), "--format", "json"]
    assert _run("diff", argv, capsys) == _run("diff", argv, capsys)


def test_markdown_has_severity_sections_and_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def mutate(doc: dict[str, Any]) -> None:
        _remove_first_name(doc)
        _add_enum_value(doc)

    code, out = _run("diff", _pair(tmp_path, mutate), capsys)
    assert code == 1
    assert "## Spec review" in out
    assert "**Summary:** 3 breaking, 3 warning, 1 info" in out
    assert "#### 🔴 Breaking changes (3)" in out
    assert "#### 🟠 Warnings (3)" in out
    assert "<details><summary>🔵 Info (1)</summary>" in out
    assert "### Python client API" in out
    assert "- `UserBasic.first_name` **field-removed**: field removed" in out
    assert (
        "- **response-field-removed**: response field `UserBasic.first_name` was removed"
        " — in 3 operations" in out
    )
    assert "<li><code>GET /api/projects/{project_id}/insights/ (insights_list)</code></li>" in out


def test_markdown_is_capped_for_pr_comments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_module, "MARKDOWN_LIMIT", 300)
    _, out = _run("diff", _pair(tmp_path, _remove_first_name), capsys)
    assert len(out) < 500
    assert "report truncated" in out


def test_text_format_is_one_line_per_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run("diff", [*_pair(tmp_path, _remove_first_name), "--format", "text"], capsys)
    spec_part, client_part = out.split("Python client API:")
    lines = [line for line in spec_part.splitlines() if line.startswith("  ")]
    assert code == 1
    assert len(lines) == 3
    assert lines[0].split()[:2] == ["breaking", "response-field-removed"]
    assert client_part.splitlines()[1] == (
        "  breaking field-removed UserBasic.first_name: field removed"
    )


@pytest.mark.parametrize("fmt", ["markdown", "text"])
def test_identical_specs_say_no_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    code, out = _run("diff", [*_pair(tmp_path, lambda doc: None), "--format", fmt], capsys)
    assert code == 0
    assert "no changes" in out


@pytest.mark.parametrize(
    ("mutate", "fail_on", "expected"),
    [
        (_remove_first_name, "breaking", 1),
        (_remove_first_name, "never", 0),
        (_add_enum_value, "breaking", 0),
        (_add_enum_value, "warning", 1),
        (lambda doc: None, "warning", 0),
    ],
)
def test_fail_on_threshold(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    mutate: Callable[[dict[str, Any]], None],
    fail_on: str,
    expected: int,
) -> None:
    code, _ = _run("diff", [*_pair(tmp_path, mutate), "--fail-on", fail_on], capsys)
    assert code == expected


def test_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report.md"
    argv = [*_pair(tmp_path, _remove_first_name), "--output", str(report)]
    code, out = _run("diff", argv, capsys)
    assert (code, out) == (1, "")
    assert report.read_text().startswith("## Spec review")


def test_one_positional_uses_spec_as_head(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, head = _pair(tmp_path, _remove_first_name)
    code, _ = _run("diff", [base, "--spec", head], capsys)
    assert code == 1


def test_parallel_loading_gives_the_same_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = [*_pair(tmp_path, _remove_first_name), "--format", "json"]
    serial = _run("diff", argv, capsys)
    monkeypatch.setattr(commands, "PARALLEL_THRESHOLD_BYTES", 0)
    monkeypatch.setattr(background.os, "cpu_count", lambda: 2)
    forked: list[bool] = []

    def spy(work: Callable[[], Any], *, worth_it: bool) -> Callable[[], Any]:
        forked.append(worth_it)
        return background.in_background(work, worth_it=worth_it)

    monkeypatch.setattr(sides, "in_background", spy)
    assert _run("diff", argv, capsys) == serial
    assert forked == [True]


# --- user errors: one line, naming the side --------------------------------------------------


def _invalid_info(doc: dict[str, Any]) -> None:
    del doc["info"]


def _broken_yaml(path: Path) -> None:
    path.write_text("openapi: 3.0.3\ninfo: [unclosed\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("side", "breakage", "expected"),
    [
        ("base", "missing", "base: no such file"),
        ("head", "missing", "head: no such file"),
        ("head", "yaml", "head: invalid YAML"),
        ("base", "invalid", "base: invalid OpenAPI: 'info' is a required property"),
        ("head", "invalid", "head: invalid OpenAPI: 'info' is a required property"),
        ("head", "not-openapi", "head: not an OpenAPI document"),
    ],
)
def test_bad_input_raises_spec_error_naming_the_side(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], side: str, breakage: str, expected: str
) -> None:
    paths = {name: write(tmp_path / f"{name}.yaml", base_spec()) for name in ("base", "head")}
    broken = paths[side]
    if breakage == "missing":
        broken.unlink()
    elif breakage == "yaml":
        _broken_yaml(broken)
    elif breakage == "invalid":
        doc = base_spec()
        _invalid_info(doc)
        write(broken, doc)
    else:
        broken.write_text("just: a mapping\n", encoding="utf-8")
    with pytest.raises(SpecError) as raised:
        _run("diff", [str(paths["base"]), str(paths["head"])], capsys)
    message = str(raised.value)
    assert expected in message
    assert message.startswith(str(broken))
    assert "\n" not in message


def test_yaml_error_has_line_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "spec.yaml"
    _broken_yaml(spec)
    with pytest.raises(SpecError) as raised:
        _run("lint", ["--spec", str(spec)], capsys)
    assert raised.value.where == "3:1"


def test_base_invalid_only_where_unchanged_elsewhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Base validation skips what head shares verbatim; a base-only problem is still found."""
    base = base_spec()
    parameter(base, LIST, "limit")["in"] = "nowhere"
    paths = [
        str(write(tmp_path / "base.yaml", base)),
        str(write(tmp_path / "head.yaml", base_spec())),
    ]
    with pytest.raises(SpecError) as raised:
        _run("diff", paths, capsys)
    assert "base: invalid OpenAPI" in str(raised.value)


def test_base_duplicate_operation_id_in_unchanged_operation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, head = base_spec(), base_spec()
    at(base, *LIST)["operationId"] = "insights_retrieve"
    at(head, *LIST)["operationId"] = "insights_list_v2"
    paths = [str(write(tmp_path / "base.yaml", base)), str(write(tmp_path / "head.yaml", head))]
    with pytest.raises(SpecError) as raised:
        _run("diff", paths, capsys)
    assert (
        "base: invalid OpenAPI: Operation ID 'insights_retrieve' for 'get' in"
        " '/api/projects/{project_id}/insights/{id}/' is not unique" in str(raised.value)
    )


def test_base_validation_covers_what_head_shares_but_a_base_change_breaks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unchanged schema whose default no longer fits a schema that changed in the base only:
    the base's change makes the shared node invalid, so it is validated again."""
    base, head = base_spec(), base_spec()
    for document in (base, head):
        document["components"]["schemas"]["Limit"] = {"type": "integer"}
        document["components"]["schemas"]["Wrapper"] = {"allOf": [ref("Limit")], "default": 5}
        parameter(document, LIST, "limit")["schema"] = ref("Wrapper")
    base["components"]["schemas"]["Limit"] = {"type": "string"}
    paths = [str(write(tmp_path / "base.yaml", base)), str(write(tmp_path / "head.yaml", head))]
    with pytest.raises(SpecError, match="base: invalid OpenAPI: 5 is not of type 'string'"):
        _run("diff", paths, capsys)


def test_base_validation_sees_only_what_differs_from_head_and_what_it_refers_to() -> None:
    base, head = base_spec(), base_spec()
    at(head, *LIST)["summary"] = "Changed."
    part = partial_document(base, identical_entries(base, head))
    assert part is not None
    assert list(part["paths"]) == ["/api/projects/{project_id}/insights/"]
    assert set(part["components"]["schemas"]) == {
        "PaginatedInsightList",
        "Insight",
        "InsightRequest",
        "ResultKindEnum",
        "Filters",
        "UserBasic",
        "TeamBasic",
    }
    assert part["components"]["securitySchemes"] == base["components"]["securitySchemes"]
    unchanged = partial_document(base, identical_entries(base, base))
    assert unchanged is not None and unchanged["paths"] == {}


def test_nothing_to_compare(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SpecError, match="nothing to compare"):
        _run("diff", [], capsys)


# --- git --------------------------------------------------------------------------------------


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args], cwd=repo, check=True, capture_output=True
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with two commits: the base spec, then one breaking change."""
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "--quiet")
    _git(root, "config", "user.email", "review@example.com")
    _git(root, "config", "user.name", "Review Test")
    spec = write(root / "spec" / "posthog.yaml", base_spec())
    _git(root, "add", ".")
    _git(root, "commit", "--quiet", "-m", "base")
    head = base_spec()
    _remove_first_name(head)
    write(spec, head)
    _git(root, "commit", "--quiet", "-am", "head")
    return root


def test_base_ref_reads_the_base_from_git(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = repo / "spec" / "posthog.yaml"
    argv = ["--base-ref", "HEAD~1", "--spec", str(spec), "--format", "json"]
    code, out = _run("diff", argv, capsys)
    report = json.loads(out)
    assert code == 1
    assert {f["rule"] for f in report["findings"]} == {"response-field-removed"}
    assert len(report["findings"]) == 3


def test_base_ref_equal_to_head_is_no_changes(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = repo / "spec" / "posthog.yaml"
    code, out = _run("diff", ["--base-ref", "HEAD", "--spec", str(spec)], capsys)
    assert (code, "no changes" in out) == (0, True)


@pytest.mark.parametrize(
    ("ref", "spec_name", "expected"),
    [
        ("origin/nope", "posthog.yaml", "base: git ref 'origin/nope' does not exist"),
        ("HEAD~1", "other.yaml", "base: spec/other.yaml does not exist at 'HEAD~1'"),
    ],
)
def test_bad_base_ref_is_one_line_naming_base(
    repo: Path, capsys: pytest.CaptureFixture[str], ref: str, spec_name: str, expected: str
) -> None:
    spec = repo / "spec" / spec_name
    with pytest.raises(SpecError) as raised:
        _run("diff", ["--base-ref", ref, "--spec", str(spec)], capsys)
    assert expected in str(raised.value)
    assert "\n" not in str(raised.value)


def test_base_ref_outside_a_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = write(tmp_path / "posthog.yaml", base_spec())
    with pytest.raises(SpecError, match=r"base: .* is not inside a git repository"):
        _run("diff", ["--base-ref", "HEAD", "--spec", str(spec)], capsys)


# --- lint through the entry point -------------------------------------------------------------


def test_lint_clean_spec_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = write(tmp_path / "spec.yaml", base_spec())
    code, out = _run("lint", ["--spec", str(spec), "--rules", "openapi"], capsys)
    assert (code, "no findings" in out) == (0, True)


def test_lint_applies_the_house_rules_unless_asked_not_to(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The default is the project's rule set; base_spec() does not follow the house style."""
    spec = write(tmp_path / "spec.yaml", base_spec())
    code, out = _run("lint", ["--spec", str(spec), "--format", "text"], capsys)
    assert code == 1
    assert "operation-error-response-missing" in out
    assert f"[{spec}:" in out  # text findings carry file:line:col


@pytest.mark.parametrize(("fail_on", "expected"), [("warning", 1), ("error", 0), ("never", 0)])
def test_lint_fail_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fail_on: str, expected: int
) -> None:
    doc = base_spec()
    del at(doc, *LIST)["tags"]  # a warning
    spec = write(tmp_path / "spec.yaml", doc)
    code, out = _run(
        "lint",
        ["--spec", str(spec), "--rules", "openapi", "--fail-on", fail_on, "--format", "json"],
        capsys,
    )
    report = json.loads(out)
    assert code == expected
    assert report["summary"] == {"error": 0, "warning": 1, "info": 0, "total": 1}
    assert list(report["findings"][0]) == ["severity", "rule", "operation", "pointer", "message"]
