"""Findings and how they are shown: markdown for PR comments, plain text, and JSON for machines.

Both `diff` and `lint` produce `Finding`s grouped into `Section`s of one `Report`; rendering and the
exit policy live here so the two commands agree on format and thresholds.

JSON schema (stable; `schema_version` bumps on any incompatible change)::

    {"schema_version": 1, "command": "diff" | "lint",
     "summary": {"breaking"|"error": n, "warning": n, "info": n, "total": n},
     "findings": [{"severity", "rule", "operation", "base_pointer", "head_pointer", "message"}],
     "sections": [{"title", "status", "summary", "findings"}]}

`findings` is the first section's list (the spec-level review); `sections` holds every section,
including "Python client API", which stays `"status": "not-computed"` until that diff exists.
Lint findings carry `pointer` instead of `base_pointer`/`head_pointer`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Severity(Enum):
    """How bad a finding is; `rank` orders them across the diff and lint vocabularies."""

    BREAKING = "breaking"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.BREAKING: 2, Severity.ERROR: 2, Severity.WARNING: 1, Severity.INFO: 0}

# `--fail-on` values and the lowest rank that fails; "never" fails on nothing.
FAIL_ON_RANK = {"breaking": 2, "error": 2, "warning": 1, "info": 0, "never": 3}

_HEADINGS = {
    Severity.BREAKING: "Breaking changes",
    Severity.ERROR: "Errors",
    Severity.WARNING: "Warnings",
    Severity.INFO: "Info",
}
_ICONS = {
    Severity.BREAKING: "🔴",
    Severity.ERROR: "🔴",
    Severity.WARNING: "🟠",
    Severity.INFO: "🔵",
}
# Info findings can be numerous (a shared schema's description reaches every operation); in
# markdown they fold away so the breaking ones stay on screen.
_FOLDED = {Severity.INFO}


@dataclass(frozen=True)
class Finding:
    """One classified change or lint problem; pointers are JSON pointers into each document."""

    severity: Severity
    rule: str
    operation: str
    base_pointer: str | None
    head_pointer: str | None
    message: str

    def sort_key(self) -> tuple[int, str, str, str, str, str]:
        return (
            -self.severity.rank,
            self.operation,
            self.rule,
            self.base_pointer or "",
            self.head_pointer or "",
            self.message,
        )


@dataclass(frozen=True)
class Section:
    """A titled list of findings; `computed=False` marks a section whose check did not run yet."""

    title: str
    findings: tuple[Finding, ...] = ()
    computed: bool = True

    def sorted_findings(self) -> list[Finding]:
        return sorted(self.findings, key=Finding.sort_key)


@dataclass(frozen=True)
class Report:
    """What one command found; `severities` lists the vocabulary in display order."""

    command: str
    title: str
    sections: tuple[Section, ...]
    severities: tuple[Severity, ...]
    sources: tuple[str, ...] = field(default=())
    # lint: `line:col` in the (single) source of each finding's pointer, where known.
    positions: Mapping[str, str] = field(default_factory=dict)

    @property
    def findings(self) -> list[Finding]:
        return [finding for section in self.sections for finding in section.findings]

    def counts(self, findings: Iterable[Finding] | None = None) -> dict[str, int]:
        tally = Counter(f.severity for f in (self.findings if findings is None else findings))
        counts = {severity.value: tally[severity] for severity in self.severities}
        counts["total"] = sum(tally.values())
        return counts


def exit_code(report: Report, fail_on: str) -> int:
    """1 when any finding reaches the `--fail-on` threshold, else 0."""
    threshold = FAIL_ON_RANK[fail_on]
    return int(any(f.severity.rank >= threshold for f in report.findings))


def _summary_line(report: Report, findings: Sequence[Finding]) -> str:
    if not findings:
        return "no changes" if report.command == "diff" else "no findings"
    counts = report.counts(findings)
    parts = [f"{counts[s.value]} {s.value}" for s in report.severities]
    return ", ".join(parts)


# GitHub rejects comments over 65,536 characters; leave room for the sticky-comment marker.
MARKDOWN_LIMIT = 60_000


def _pointer_text(report: Report, finding: Finding) -> str:
    if report.command == "lint":
        position = report.positions.get(finding.head_pointer or "")
        line = f" (line {position.split(':')[0]})" if position else ""
        return f"at `{finding.head_pointer}`{line}"
    if finding.base_pointer is None and finding.head_pointer is None:
        return ""  # a Python API finding: the subject names the place
    base = f"`{finding.base_pointer}`" if finding.base_pointer is not None else "—"
    head = f"`{finding.head_pointer}`" if finding.head_pointer is not None else "—"
    return f"base {base} → head {head}"


def _markdown_items(report: Report, findings: list[Finding]) -> list[str]:
    """One bullet per distinct change; a shared-schema change lists the operations it reaches."""
    groups: dict[tuple[str, str, str | None, str | None], list[Finding]] = {}
    for finding in findings:
        key = (finding.rule, finding.message, finding.base_pointer, finding.head_pointer)
        groups.setdefault(key, []).append(finding)
    lines = []
    for group in groups.values():
        first = group[0]
        where = _pointer_text(report, first)
        if len(group) == 1:
            operation = f"`{first.operation}` " if first.operation else ""
            suffix = f"  \n  {where}" if where else ""
            lines.append(f"- {operation}**{first.rule}**: {first.message}{suffix}")
            continue
        lines.append(
            f"- **{first.rule}**: {first.message} — in {len(group)} operations  \n  {where}"
        )
        listed = "".join(f"<li><code>{f.operation}</code></li>" for f in group)
        lines.append(f"  <details><summary>operations</summary><ul>{listed}</ul></details>")
    return lines


def _truncate(lines: list[str], limit: int) -> list[str]:
    kept: list[str] = []
    size = 0
    for index, line in enumerate(lines):
        size += len(line) + 1
        if size > limit:
            rest = len(lines) - index
            note = f"_… report truncated ({rest} more lines); the full report is in the artifact._"
            return [*kept, "", note]
        kept.append(line)
    return kept


def render_markdown(report: Report) -> str:
    """Headed sections per severity and a counts line: sized for a pull-request comment."""
    lines = [f"## {report.title}", ""]
    if report.command == "diff" and len(report.sources) == 2:
        lines += [f"base `{report.sources[0]}` → head `{report.sources[1]}`", ""]
    elif report.sources:
        lines += [" · ".join(f"`{source}`" for source in report.sources), ""]
    for section in report.sections:
        findings = section.sorted_findings()
        lines.append(f"### {section.title}")
        lines.append("")
        if not section.computed:
            lines += ["_Not computed yet._", ""]
            continue
        lines += [f"**Summary:** {_summary_line(report, findings)}", ""]
        for severity in report.severities:
            chosen = [f for f in findings if f.severity is severity]
            if not chosen:
                continue
            heading = f"{_ICONS[severity]} {_HEADINGS[severity]} ({len(chosen)})"
            body = _markdown_items(report, chosen)
            if severity in _FOLDED:
                lines += [f"<details><summary>{heading}</summary>", "", *body, "", "</details>"]
            else:
                lines += [f"#### {heading}", "", *body]
            lines.append("")
    return "\n".join(_truncate(lines, MARKDOWN_LIMIT)).rstrip() + "\n"


def render_text(report: Report) -> str:
    """One finding per line, grep-friendly: `severity rule operation: message [pointers]`."""
    lines = [report.title]
    for section in report.sections:
        findings = section.sorted_findings()
        if not section.computed:
            lines.append(f"{section.title}: not computed yet")
            continue
        lines.append(f"{section.title}: {_summary_line(report, findings)}")
        for f in findings:
            operation = f" {f.operation}" if f.operation else ""
            if report.command == "lint":
                position = report.positions.get(f.head_pointer or "")
                source = f"{report.sources[0]}:{position} " if position and report.sources else ""
                where = f" [{source}#{f.head_pointer}]"
            elif f.base_pointer is None and f.head_pointer is None:
                where = ""  # a Python API finding: the subject names the place
            else:
                where = f" [{f.base_pointer or '-'} -> {f.head_pointer or '-'}]"
            lines.append(f"  {f.severity.value:<8} {f.rule}{operation}: {f.message}{where}")
    return "\n".join(lines) + "\n"


def _json_finding(report: Report, finding: Finding) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "severity": finding.severity.value,
        "rule": finding.rule,
        "operation": finding.operation,
    }
    if report.command == "lint":
        fields["pointer"] = finding.head_pointer
    else:
        fields["base_pointer"] = finding.base_pointer
        fields["head_pointer"] = finding.head_pointer
    fields["message"] = finding.message
    return fields


def render_json(report: Report) -> str:
    """The stable machine format documented at the top of this module; sorted, so diffable."""
    sections = []
    for section in report.sections:
        findings = section.sorted_findings()
        sections.append(
            {
                "title": section.title,
                "status": "computed" if section.computed else "not-computed",
                "summary": report.counts(findings),
                "findings": [_json_finding(report, f) for f in findings],
            }
        )
    first = sections[0] if sections else {"summary": report.counts([]), "findings": []}
    document = {
        "schema_version": 1,
        "command": report.command,
        "summary": first["summary"],
        "findings": first["findings"],
        "sections": sections,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Callable[[Report], str]] = {
    "markdown": render_markdown,
    "text": render_text,
    "json": render_json,
}
