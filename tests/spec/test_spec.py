"""Checks on the hand-authored OpenAPI document spec/posthog.yaml.

The rules the document follows live in one place, `posthog-codegen lint` (generic rules plus
the house rules of generator/review/house_rules.py); these tests call it rather than restating
them, and count operations from the document, so adding or removing an operation needs no
edit here. What stays below are facts about this document (its servers, its error shape) and
the checks against PostHog's docs in ../shared.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.errors import SpecError
from generator.review.house_rules import RULE_SETS
from generator.review.lint import lint_spec
from generator.spec.load import HTTP_METHODS, load_spec
from generator.spec.locate import Locator
from generator.spec.validate import validate_spec

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO_ROOT / "spec" / "posthog.yaml"
# CI clones the repo next to shared/ (docs + tools), i.e. at ../shared from the repo root.
SHARED_DIR = REPO_ROOT.parent / "shared"

SPEC: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield (path, method, operation) for every operation in the spec."""
    for path, item in SPEC["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield path, method, item[method]


# --------------------------------------------------------------------- document


def test_spec_passes_the_generators_validation() -> None:
    """What `generate` checks: the OpenAPI rules and every example against its schema."""
    try:
        validate_spec(load_spec(SPEC_PATH, display_name="spec/posthog.yaml"))
    except SpecError as exc:
        pytest.fail("\n".join(f"error: {line}" for line in exc.lines()), pytrace=False)


def test_spec_lints_clean_with_the_house_rules() -> None:
    """`posthog-codegen lint` is where the project's rules live; `make test` runs it too."""
    findings = lint_spec(SPEC, rules=RULE_SETS["posthog"])
    locator = Locator(SPEC_PATH)
    lines = [
        f"spec/posthog.yaml:{locator.where(f.head_pointer or '')}: {f.rule}: {f.message}"
        for f in findings
    ]
    if lines:
        lines.append("run `posthog-codegen lint --format text` for the same list")
        pytest.fail("\n".join(lines), pytrace=False)


def test_validation_error_names_line_column_and_pointer(tmp_path: Path) -> None:
    broken = SPEC_PATH.read_text(encoding="utf-8").replace(
        "operationId: annotations_list", "operationId: [annotations_list]", 1
    )
    path = tmp_path / "posthog.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        validate_spec(load_spec(path, display_name="spec/posthog.yaml"))
    line, text = next(
        (number, text)
        for number, text in enumerate(broken.splitlines(), start=1)
        if "operationId: [annotations_list]" in text
    )
    column = text.index("operationId") + 1
    message = str(caught.value)
    assert message.startswith(f"spec/posthog.yaml:{line}:{column}: #/paths/")
    assert message.endswith("/get/operationId: ['annotations_list'] is not of type 'string'")


def test_every_operation_becomes_a_method() -> None:
    """Counted from the document: a new operation changes both sides."""
    from generator.pipeline import load_and_parse

    spec_ids = sorted(op["operationId"] for _, _, op in operations())
    assert spec_ids, "the spec has no operations"
    parsed = sorted(op.operation_id for op in load_and_parse(SPEC_PATH).operations)
    assert parsed == spec_ids


def test_security_scheme_and_servers() -> None:
    scheme = SPEC["components"]["securitySchemes"]["PersonalAPIKeyAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    urls = [server["url"] for server in SPEC["servers"]]
    assert "https://us.posthog.com" in urls
    assert "https://eu.posthog.com" in urls
    templated = [s for s in SPEC["servers"] if "{" in s["url"]]
    assert templated, "a self-hosted server with variables is expected"
    for server in templated:
        for name in re.findall(r"{(\w+)}", server["url"]):
            assert "default" in server["variables"][name]


def test_error_responses_use_error_schema() -> None:
    responses = SPEC["components"]["responses"]
    for name in ("BadRequest", "Unauthorized", "Forbidden", "NotFound", "TooManyRequests"):
        media = responses[name]["content"]["application/json"]
        assert media["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}
        assert "example" in media
    error = SPEC["components"]["schemas"]["ErrorResponse"]
    assert set(error["properties"]) == {"type", "code", "detail", "attr"}
    assert error["properties"]["attr"]["type"] == ["string", "null"]


# ------------------------------------------------------------------- coverage
# These two need PostHog's API reference and its tools, which live beside the repository in
# ../shared (CI clones both). Without it they skip, saying so.


def shared_tool(name: str) -> Path:
    tool = SHARED_DIR / "tools" / name
    if not tool.is_file():
        pytest.skip(f"{tool} is absent: the docs and tools live in ../shared next to the repo")
    return tool


def test_docs_coverage_is_complete() -> None:
    tool = shared_tool("spec_coverage.py")
    result = subprocess.run(
        [sys.executable, str(tool), str(SHARED_DIR / "docs"), str(SPEC_PATH), "-v"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(100.0%)" in result.stdout


def test_undocumented_scopes_flag_matches_docs() -> None:
    """`x-scopes-undocumented` is set exactly where the docs give no API key scope."""
    sys.path.insert(0, str(shared_tool("docs_inventory.py").parent))
    try:
        from docs_inventory import inventory  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    without_scope = {
        (op["method"].lower(), op["path"])
        for op in inventory(str(SHARED_DIR / "docs"))
        if not op["scopes"]
    }
    flagged = {
        (method, path) for path, method, op in operations() if op.get("x-scopes-undocumented")
    }
    assert without_scope
    assert flagged == without_scope
