"""`generate --lenient` validates in the background: same files and warnings as in one process.

Bad examples are repaired before the build; the OpenAPI checks run meanwhile in a forked child
(large specs) or in line (small ones). A problem only they find that needs a repair (an invalid
`default`) builds the spec again; one the parser trips over is refused in one line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import pipeline
from generator.errors import SpecError

ROOT = Path(__file__).resolve().parents[2]


def spec_with_problems(tmp_path: Path, *, extra_schemas: int = 0, broken: bool = True) -> Path:
    """A valid spec broken twice: an example that does not fit, a default that does not
    (`broken=False`: the same spec with the two nodes left out)."""
    name: dict[str, Any] = {"type": "string", **({"example": 12} if broken else {})}
    size: dict[str, Any] = {"type": "string", **({"default": 5} if broken else {})}
    schemas: dict[str, Any] = {
        "Pet": {"type": "object", "properties": {"name": name, "size": size}},
        **{f"Filler{i}": {"type": "object"} for i in range(extra_schemas)},
    }
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Pets", "version": "1"},
        "servers": [{"url": "https://pets.example"}],
        "paths": {
            "/pets/": {
                "get": {
                    "operationId": "pets_list",
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}
                            },
                        }
                    },
                }
            }
        },
        "components": {"schemas": schemas},
    }
    folder = tmp_path / ("broken" if broken else "clean")
    folder.mkdir()
    (folder / "spec.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    return folder / "spec.yaml"


def without_manifest(files: dict[str, str]) -> dict[str, str]:
    """The files, less what names the spec file's hash (the manifest, `__spec_sha256__`)."""
    return {
        name: re.sub(r'__spec_sha256__ = "\w+"', "", text)
        for name, text in files.items()
        if not name.endswith("manifest")
    }


@pytest.mark.parametrize("extra_schemas", [0, 300], ids=["in-line", "forked"])
def test_lenient_repairs_what_both_checks_find(tmp_path: Path, extra_schemas: int) -> None:
    broken = spec_with_problems(tmp_path, extra_schemas=extra_schemas)
    generated = pipeline.generate(broken, lenient=True)
    messages = sorted(w.message for w in generated.validation_warnings)
    assert len(messages) == 2
    assert any(m.endswith("default dropped") for m in messages)  # openapi-spec-validator's
    assert any(m.endswith("example dropped") for m in messages)  # the example check's
    # Built from the spec with both repairs: the output of the spec without the two nodes.
    clean = spec_with_problems(tmp_path, extra_schemas=extra_schemas, broken=False)
    assert without_manifest(generated.files) == without_manifest(pipeline.generate(clean).files)


def test_forked_and_in_line_give_the_same_files(tmp_path: Path, monkeypatch: Any) -> None:
    spec = spec_with_problems(tmp_path, extra_schemas=250)
    forked = pipeline.generate(spec, lenient=True)
    monkeypatch.setattr(pipeline, "_BACKGROUND_VALIDATION_THRESHOLD", 10**9)
    in_line = pipeline.generate(spec, lenient=True)
    assert forked.files == in_line.files
    assert forked.validation_warnings == in_line.validation_warnings


def test_a_problem_the_parser_trips_over_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents: {schemas: 5}\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as raised:
        pipeline.generate(path, lenient=True)
    assert "#/components/schemas" in str(raised.value)
    assert "--lenient cannot generate past this" in str(raised.value)
