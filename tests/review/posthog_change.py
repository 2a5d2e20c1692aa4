"""One realistic change set to spec/posthog.yaml, for the golden markdown report.

A reviewer would see all of these in one pull request: a renamed operation, a filter made
required, a removed response field, a new enum value and a tightened constraint.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from tests.goldens import ROOT, SPEC

GOLDEN_REPORT = ROOT / "tests" / "review" / "golden" / "posthog_change.md"


def changed_spec(base: dict[str, Any]) -> dict[str, Any]:
    head = copy.deepcopy(base)
    annotations = head["paths"]["/api/projects/{project_id}/annotations/"]
    annotations["get"]["operationId"] = "annotations_list_all"
    scope = next(p for p in annotations["get"]["parameters"] if p.get("name") == "scope")
    scope["required"] = True  # an optional filter made required
    schemas = head["components"]["schemas"]
    schemas["AnnotationScopeEnum"]["enum"].append("team")
    del schemas["Role"]["properties"]["is_default"]
    schemas["Role"]["required"].remove("is_default")
    schemas["RoleRequest"]["properties"]["name"]["maxLength"] = 100
    return head


def write_pair(folder: Path) -> tuple[Path, Path]:
    """The base (the committed spec, copied) and the changed head, side by side."""
    base = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    base_path, head_path = folder / "base" / "posthog.yaml", folder / "head" / "posthog.yaml"
    for path, document in ((base_path, base), (head_path, changed_spec(base))):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return base_path, head_path
