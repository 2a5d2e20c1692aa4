"""README's "Regenerating after a spec change", followed on a copy of the repository.

A maintainer adds an operation (with its examples), renames a field and removes an operation,
then runs the documented steps. Each step must either pass or stop with one message that says
what to do; following it, the suite that depends on the spec passes again. The copy holds only
what those steps and tests read, and the tests run are the ones the spec feeds (spec rules,
golden, fixtures, every operation, server-shaped bodies, the review golden); the rest of
`make test` does not read spec/posthog.yaml.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.spec.strict_yaml import _SafeLoader
from tests.goldens import ROOT

COPIED = ("generator", "templates", "spec", "tests", "generated", "pyproject.toml")
CACHES = shutil.ignore_patterns("__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache")
SHAPED = Path("tests/spec/server_shaped")
# The tests spec/posthog.yaml feeds (see the module docstring).
SUITE = (
    "tests/spec/test_spec.py",
    "tests/spec/test_server_shaped_bodies.py",
    "tests/generator/test_golden.py::test_generated_matches_the_spec",
    "tests/generator/test_golden.py::test_manifest_lists_every_generated_file",
    "tests/generated/test_fixtures_valid.py",
    "tests/generated/test_every_operation.py",
    "tests/generated/test_fixture_pages.py",
    "tests/generated/test_server_shaped.py",
    "tests/review/test_posthog_change_golden.py",
)

NEW_PATH = """  /api/projects/{project_id}/alerts/{id}/snooze/:
    post:
      tags: [alerts]
      operationId: alerts_snooze
      summary: Snooze an alert
      description: |
        Stop checking the alert until `snoozed_until`, a relative date (`2h`, `1d`)
        or an ISO 8601 date-time.
      security:
        - PersonalAPIKeyAuth: ["alert:write"]
      parameters:
        - $ref: "#/components/parameters/ProjectId"
        - $ref: "#/components/parameters/AlertId"
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: "#/components/schemas/AlertSnoozeRequest"
            example:
              snoozed_until: 2h
      responses:
        "200":
          description: The snoozed alert.
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Alert"
              example: *alert_example
        "400":
          $ref: "#/components/responses/BadRequest"
        "401":
          $ref: "#/components/responses/Unauthorized"
        "403":
          $ref: "#/components/responses/Forbidden"
        "404":
          $ref: "#/components/responses/NotFound"
        "429":
          $ref: "#/components/responses/TooManyRequests"
"""
NEW_SCHEMA = """    AlertSnoozeRequest:
      type: object
      required: [snoozed_until]
      properties:
        snoozed_until:
          type: string
          description: A relative date (`2h`, `1d`) or an ISO 8601 date-time.
"""
REMOVED = ("/api/projects/{project_id}/signal_source_configs/{id}/", "delete")
REMOVED_ID = "signal_source_configs_destroy"
OLD_FIELD, NEW_FIELD = "calculated_value", "computed_value"  # AlertCheck, required


def run(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTHOG_", "PYTEST_"))}
    env["POSTHOG_CODEGEN_CACHE_DIR"] = str(repo.parent / "cache")
    return subprocess.run(
        [sys.executable, *args], cwd=repo, env=env, capture_output=True, text=True, timeout=300
    )


def copy_repo(target: Path) -> Path:
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=CACHES)
        else:
            shutil.copy2(source, target / name)
    return target


def add_operation(text: str) -> str:
    """A new path item at the end of `paths` (after the anchors it aliases) and its schema."""
    text = text.replace("\ncomponents:\n", f"\n{NEW_PATH}\ncomponents:\n", 1)
    return text.replace("\n  schemas:\n", f"\n  schemas:\n{NEW_SCHEMA}", 1)


def remove_operation(text: str) -> str:
    """Delete the lines of one operation, as an editor would."""
    root = yaml.compose(text, Loader=_SafeLoader)
    paths = next(v for k, v in root.value if k.value == "paths")
    item = next(v for k, v in paths.value if k.value == REMOVED[0])
    key, value = next((k, v) for k, v in item.value if k.value == REMOVED[1])
    lines = text.splitlines(keepends=True)
    return "".join(lines[: key.start_mark.line] + lines[value.end_mark.line :])


def rename_in_schema_only(text: str) -> str:
    text = text.replace(f"        {OLD_FIELD}:\n", f"        {NEW_FIELD}:\n", 1)
    return text.replace(f"        - {OLD_FIELD}\n", f"        - {NEW_FIELD}\n", 1)


def test_the_readme_recipe_adds_renames_and_removes_operations(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    spec = repo / "spec" / "posthog.yaml"
    original = spec.read_text(encoding="utf-8")
    assert run(repo, "-c", "import generator; print(generator.__file__)").stdout.startswith(
        str(repo)
    )

    # A field renamed in its schema but not in the examples: refused, at the example's line.
    spec.write_text(rename_in_schema_only(original), encoding="utf-8")
    refused = run(repo, "-m", "generator", "generate")
    assert refused.returncode == 2, refused.stderr
    first = refused.stderr.splitlines()[0]
    field_line = original[: original.index(f"{OLD_FIELD}: 87")].count("\n") + 1
    where = re.match(r"error: spec/posthog.yaml:(\d+):\d+: #/paths/.*/example/checks/0: ", first)
    assert where, first
    assert field_line - 5 <= int(where.group(1)) <= field_line  # the check object lacking it
    assert first.endswith(f"example does not fit its schema: '{NEW_FIELD}' is a required property")

    # Step 1: the whole edit. Step 2: generate.
    edited = remove_operation(add_operation(original)).replace(OLD_FIELD, NEW_FIELD)
    spec.write_text(edited, encoding="utf-8")
    generated = run(repo, "-m", "generator", "generate")
    assert generated.returncode == 0, generated.stderr
    assert generated.stderr == ""  # no warnings
    lint = run(repo, "-m", "generator", "lint", "--format", "text")
    assert lint.returncode == 0, lint.stdout

    # Step 3 forgotten: one failing test, saying which file to add and which to delete.
    for path in (repo / SHAPED).glob("*.json"):
        path.write_text(path.read_text(encoding="utf-8").replace(OLD_FIELD, NEW_FIELD))
    suite = run(repo, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SUITE)
    failed = re.findall(r"^FAILED (\S+)", suite.stdout, re.MULTILINE)
    assert failed == ["tests/spec/test_server_shaped_bodies.py::test_every_operation_has_a_file"], (
        suite.stdout[-3000:]
    )
    assert f"add {SHAPED}/alerts_snooze.json: the bodies PostHog's server sends" in suite.stdout
    assert f"delete {SHAPED}/{REMOVED_ID}.json: the spec has no operation" in suite.stdout

    # Step 3 done as the message says: the spec's suite passes.
    retrieve = json.loads((repo / SHAPED / "alerts_retrieve.json").read_text(encoding="utf-8"))
    snooze = {**retrieve, "operation_id": "alerts_snooze"}
    (repo / SHAPED / "alerts_snooze.json").write_text(json.dumps(snooze, indent=2) + "\n")
    (repo / SHAPED / f"{REMOVED_ID}.json").unlink()
    again = run(
        repo,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/spec/test_server_shaped_bodies.py",
        "tests/generated/test_server_shaped.py",
    )
    assert again.returncode == 0, again.stdout[-3000:]


@pytest.fixture(autouse=True)
def _needs_the_repository() -> None:
    if not (ROOT / "spec" / "posthog.yaml").is_file():  # pragma: no cover
        pytest.skip("runs from a checkout of the repository")
