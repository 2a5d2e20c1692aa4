"""After a small edit only the affected part is validated, and nothing invalid slips through."""

from __future__ import annotations

from pathlib import Path

import pytest

import generator.pipeline as pipeline
from generator.errors import SpecError
from generator.pipeline import generate
from generator.spec.load import LoadedSpec, load_spec
from generator.spec.partial_validation import partial_document

SPEC = """openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a/:
    get:
      operationId: a_list
      parameters:
        - {name: limit, in: query, schema: {$ref: "#/components/schemas/Wrapper"}}
      responses: {"204": {description: ok}}
  /b/:
    get:
      operationId: b_list
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}
  /c/:
    get:
      operationId: c_list
      responses: {"204": {description: ok}}
  /d/{id}/:
    get:
      operationId: d_get
      parameters: [{$ref: "#/components/parameters/Id"}]
      responses: {"204": {description: ok}}
components:
  parameters:
    Id: {name: id, in: path, required: true, schema: {type: integer}}
  schemas:
    Limit: {type: integer}
    Wrapper:
      allOf: [{$ref: "#/components/schemas/Limit"}]
      default: 5
    Thing:
      type: object
      properties: {name: {type: string}}
    Other:
      type: object
      properties: {x: {type: string}}
"""


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC, encoding="utf-8")
    generate(path, cache_dir=tmp_path / "cache")  # a valid run: every piece validated
    return path


def _edit(spec: Path, old: str, new: str) -> None:
    text = spec.read_text(encoding="utf-8")
    assert old in text
    spec.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        # The edited path item itself is invalid.
        ("/c/:\n    get:\n", "/c/:\n    get:\n      bogus: 1\n", "'bogus' was unexpected"),
        # An unchanged schema's default no longer fits the schema it refers to.
        ("Limit: {type: integer}", "Limit: {type: string}", "5 is not of type 'string'"),
        # An unchanged path item no longer fits the parameter it refers to.
        ("{name: id, in: path", "{name: ident, in: path", "Path parameter 'id'"),
        # The one document-wide check: operation ids are unique.
        ("operationId: c_list", "operationId: a_list", "Operation ID 'a_list'"),
    ],
    ids=[
        "edited-part",
        "refers-to-edited-schema",
        "refers-to-edited-parameter",
        "duplicate-operation-id",
    ],
)
def test_invalid_edits_are_caught(
    spec: Path, old: str, new: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []  # how many path items the validator was shown
    real_validate = pipeline.validate_spec

    def spy(loaded: LoadedSpec) -> None:
        seen.append(len(loaded.data["paths"]))
        real_validate(loaded)

    monkeypatch.setattr(pipeline, "validate_spec", spy)
    _edit(spec, old, new)
    with pytest.raises(SpecError, match=message):
        generate(spec, cache_dir=spec.parent / "cache")
    assert seen and seen[0] < 4  # only part of the document


def test_a_valid_edit_still_generates(spec: Path) -> None:
    _edit(spec, "properties: {name: {type: string}}", "properties: {title: {type: string}}")
    files = generate(spec, cache_dir=spec.parent / "cache").files
    assert "title: str | Unset" in files["posthog_api/models/thing.py"]


def test_the_partial_document_keeps_what_the_change_can_affect() -> None:
    import yaml

    data = yaml.safe_load(SPEC)
    paths = [("paths", "/a/"), ("paths", "/b/"), ("paths", "/d/{id}/")]  # /c/ is new
    schemas = [("schemas", name) for name in ("Limit", "Wrapper", "Thing", "Other")]
    validated = frozenset([*paths, *schemas, ("parameters", "Id")])
    partial = partial_document(data, validated)
    assert partial is not None
    assert list(partial["paths"]) == ["/c/"]
    assert partial["components"] == {"parameters": {}, "schemas": {}}
    # A changed schema brings back the users whose checks read it: Wrapper's default must fit
    # Limit. /a/ refers to Wrapper too, but none of its own checks reads it.
    limit_changed = validated - {("schemas", "Limit")} | {("paths", "/c/")}
    partial = partial_document(data, limit_changed)
    assert partial is not None
    assert list(partial["paths"]) == []
    assert list(partial["components"]["schemas"]) == ["Limit", "Wrapper"]
    # An example beside the reference is checked against it: /a/ comes back (when examples
    # are checked at all; diff's base validation does not check them).
    data["paths"]["/a/"]["get"]["parameters"][0]["example"] = 7
    partial = partial_document(data, limit_changed)
    assert partial is not None and list(partial["paths"]) == ["/a/"]
    partial = partial_document(data, limit_changed, examples_checked=False)
    assert partial is not None and list(partial["paths"]) == []
    assert list(partial) == list(data)  # the original key order
    # A changed parameter brings back the path item that uses it.
    partial = partial_document(data, validated - {("parameters", "Id")} | {("paths", "/c/")})
    assert partial is not None
    assert list(partial["paths"]) == ["/d/{id}/"]
    assert list(partial["components"]["parameters"]) == ["Id"]


def test_the_cache_knows_every_named_component_it_validated(spec: Path) -> None:
    loaded = load_spec(spec, cache_dir=spec.parent / "cache")
    assert loaded.pieces is not None
    assert loaded.pieces.validated_entries() >= {("parameters", "Id"), ("paths", "/d/{id}/")}
