"""What `posthog-codegen probe` found, and how it is shown (markdown or JSON).

A disagreement names the operation, the JSON path into the body, what the spec expects (worded
from the schema) and what came (a JSON type name, "missing", a status or a media type). Nothing
here holds a value the server sent: a report may be pasted anywhere. How an answer is checked:
generator.review.probe_check.

JSON schema (stable; `schema_version` bumps on any incompatible change)::

    {"schema_version": 1, "command": "probe", "host": str, "spec": str,
     "summary": {"probed", "agreeing", "differing", "skipped", "requests"},
     "operations": [{"operation", "method", "path", "status", "outcome", "reason",
                     "disagreements": [{"path", "expected", "got"}]}],
     "disagreements": [{"operation", "status", "path", "expected", "got"}]}

`outcome` is "agrees", "differs" or "skipped"; `status` is null for a skipped operation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

AGREES, DIFFERS, SKIPPED = "agrees", "differs", "skipped"


@dataclass(frozen=True)
class Disagreement:
    """One place where a response breaks its schema; `got` is a type name, never a value."""

    path: str
    expected: str
    got: str


@dataclass(frozen=True)
class OperationResult:
    """One GET operation: probed (with a status) or skipped (with the reason)."""

    operation: str
    path: str
    status: int | None = None
    disagreements: tuple[Disagreement, ...] = ()
    skipped_because: str = ""

    @property
    def outcome(self) -> str:
        if self.status is None:
            return SKIPPED
        return DIFFERS if self.disagreements else AGREES


@dataclass(frozen=True)
class ProbeReport:
    """Every GET operation of the spec, in the order probed, then the skipped ones."""

    host: str
    spec: str
    results: tuple[OperationResult, ...]
    requests: int

    def count(self, outcome: str) -> int:
        return sum(result.outcome == outcome for result in self.results)

    @property
    def probed(self) -> int:
        return len(self.results) - self.count(SKIPPED)

    def exit_code(self) -> int:
        """0 when every probed operation agrees with the spec, 1 when any differs."""
        return int(self.count(DIFFERS) > 0)

    def summary(self) -> str:
        return (
            f"{self.probed} operations probed, {self.count(AGREES)} agree,"
            f" {self.count(DIFFERS)} differ, {self.count(SKIPPED)} skipped"
            f" ({self.requests} requests)"
        )


def _cell(text: str) -> str:
    """Table-safe: spec strings (enum members, names) may hold pipes, backticks or newlines."""
    return " ".join(text.split()).replace("|", "\\|").replace("`", "'")


def render_markdown(report: ProbeReport) -> str:
    """A summary line, the disagreements as a table, then skipped and agreeing operations."""
    lines = [
        "## Live server probe",
        "",
        f"`{_cell(report.host)}` against `{_cell(report.spec)}`: {report.summary()}.",
        "",
    ]
    differing = [r for r in report.results if r.outcome == DIFFERS]
    if differing:
        lines += [
            "### Disagreements",
            "",
            "| operation | status | JSON path | expected | got |",
            "| --- | --- | --- | --- | --- |",
        ]
        lines += [
            f"| `{r.operation}` | {r.status} | `{_cell(d.path)}` | {_cell(d.expected)}"
            f" | {_cell(d.got)} |"
            for r in differing
            for d in r.disagreements
        ]
        lines.append("")
    else:
        lines += ["Every probed response agrees with the spec.", ""]
    skipped = [r for r in report.results if r.outcome == SKIPPED]
    if skipped:
        lines += ["### Skipped", "", "| operation | reason |", "| --- | --- |"]
        lines += [f"| `{r.operation}` | {_cell(r.skipped_because)} |" for r in skipped]
        lines.append("")
    agreeing = [r for r in report.results if r.outcome == AGREES]
    if agreeing:
        listed = ", ".join(f"`{r.operation}` ({r.status})" for r in agreeing)
        lines += [f"<details><summary>Agreeing ({len(agreeing)})</summary>", "", listed]
        lines += ["", "</details>", ""]
    return "\n".join(lines).rstrip() + "\n"


def _json_result(result: OperationResult) -> dict[str, Any]:
    return {
        "operation": result.operation,
        "method": "GET",
        "path": result.path,
        "status": result.status,
        "outcome": result.outcome,
        "reason": result.skipped_because or None,
        "disagreements": [_json_disagreement(d) for d in result.disagreements],
    }


def _json_disagreement(disagreement: Disagreement) -> dict[str, str]:
    return {"path": disagreement.path, "expected": disagreement.expected, "got": disagreement.got}


def render_json(report: ProbeReport) -> str:
    """The machine format documented at the top of this module."""
    document = {
        "schema_version": 1,
        "command": "probe",
        "host": report.host,
        "spec": report.spec,
        "summary": {
            "probed": report.probed,
            "agreeing": report.count(AGREES),
            "differing": report.count(DIFFERS),
            "skipped": report.count(SKIPPED),
            "requests": report.requests,
        },
        "operations": [_json_result(result) for result in report.results],
        "disagreements": [
            {"operation": r.operation, "status": r.status, **_json_disagreement(d)}
            for r in report.results
            for d in r.disagreements
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Callable[[ProbeReport], str]] = {
    "markdown": render_markdown,
    "json": render_json,
}
