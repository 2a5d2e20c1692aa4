"""Checks on the hand-authored OpenAPI document spec/posthog.yaml."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate
from openapi_spec_validator.validation import OpenAPIV31SpecValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from generator.errors import SpecError
from generator.spec.load import load_spec
from generator.spec.validate import validate_spec

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO_ROOT / "spec" / "posthog.yaml"
# CI clones the repo next to shared/ (docs + tools), i.e. at ../shared from the repo root.
SHARED_DIR = REPO_ROOT.parent / "shared"
SPEC_URI = "urn:posthog-spec"

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
EXPECTED_OPERATION_COUNT = 44
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
PAGINATION_KEYS = {"count", "next", "previous", "results"}

SPEC: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())


def escape(token: str) -> str:
    """Escape one JSON-pointer token."""
    return token.replace("~", "~0").replace("/", "~1")


def resolve(node: Any) -> Any:
    """Follow local `$ref`s (`#/...`) until reaching a node without one."""
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), f"only local refs are expected, got {ref}"
        target: Any = SPEC
        for token in ref[2:].split("/"):
            target = target[token.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield (path, method, operation) for every operation in the spec."""
    for path, item in SPEC["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield path, method, item[method]


def operation_ids() -> list[str]:
    return [f"{method.upper()} {path}" for path, method, _ in operations()]


def operation_parameters(item: dict[str, Any], op: dict[str, Any]) -> list[dict[str, Any]]:
    """Effective parameters of an operation (path-item level plus operation level)."""
    return [resolve(p) for p in item.get("parameters", []) + op.get("parameters", [])]


def collect_examples() -> list[tuple[str, Any, Any]]:
    """Every (pointer to the example, example, pointer to its schema) in the document."""
    found: list[tuple[str, Any, Any]] = []

    def walk(node: Any, pointer: str) -> None:
        if isinstance(node, dict):
            # A media type or a parameter: `example` next to `schema`.
            if "example" in node and "schema" in node:
                found.append((f"{pointer}/example", node["example"], f"{pointer}/schema"))
            # A schema carrying its own `example`.
            elif "example" in node and ("type" in node or "properties" in node):
                found.append((f"{pointer}/example", node["example"], pointer))
            for key, value in node.items():
                if key != "example":
                    walk(value, f"{pointer}/{escape(str(key))}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{pointer}/{index}")

    walk(SPEC, "#")
    return found


def refs_in(node: Any) -> Iterator[str]:
    """Every `$ref` string inside a node."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs_in(value)


def component_of(ref: str) -> tuple[str, str]:
    """('schemas', 'Annotation') for '#/components/schemas/Annotation[/...]'."""
    parts = ref[2:].split("/")
    assert parts[0] == "components" and len(parts) >= 3, f"unexpected ref {ref}"
    return parts[1], parts[2]


EXAMPLES = collect_examples()
REGISTRY: Registry = Registry().with_resource(
    SPEC_URI, Resource.from_contents(SPEC, default_specification=DRAFT202012)
)


# --------------------------------------------------------------------- document


def test_spec_is_valid_openapi_31() -> None:
    assert SPEC["openapi"] == "3.1.0"
    validate(SPEC, cls=OpenAPIV31SpecValidator)


def test_invalid_spec_fails_with_pointer_not_traceback() -> None:
    """How a broken spec edit shows up in the test run: file, line, JSON pointer, message."""
    try:
        validate_spec(load_spec(SPEC_PATH, display_name="spec/posthog.yaml"))
    except SpecError as exc:
        pytest.fail(f"error: {exc}", pytrace=False)


def test_validation_error_names_line_and_pointer(tmp_path: Path) -> None:
    broken = SPEC_PATH.read_text(encoding="utf-8").replace(
        "operationId: annotations_list", "operationId: [annotations_list]", 1
    )
    path = tmp_path / "posthog.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        validate_spec(load_spec(path, display_name="spec/posthog.yaml"))
    message = str(caught.value)
    line = next(
        number
        for number, text in enumerate(broken.splitlines(), start=1)
        if "operationId: [annotations_list]" in text
    )
    assert message.startswith(f"spec/posthog.yaml:{line}: #/paths/")
    assert message.endswith("/get/operationId: ['annotations_list'] is not of type 'string'")


def test_operation_count() -> None:
    assert len(list(operations())) == EXPECTED_OPERATION_COUNT


def test_no_openapi_30_nullable_keyword() -> None:
    text = SPEC_PATH.read_text()
    assert not re.search(r"^\s*nullable:", text, re.MULTILINE)


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


# ------------------------------------------------------------------- examples


@pytest.mark.parametrize(
    ("pointer", "example", "schema_pointer"), EXAMPLES, ids=[e[0] for e in EXAMPLES]
)
def test_example_matches_schema(pointer: str, example: Any, schema_pointer: str) -> None:
    validator = OAS31Validator(
        {"$ref": SPEC_URI + schema_pointer},
        registry=REGISTRY,
        format_checker=OAS31Validator.FORMAT_CHECKER,
    )
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(example)
    ]
    assert not errors, f"{pointer} does not match {schema_pointer}: {errors}"


def test_examples_were_found() -> None:
    # Media-type examples of 34 documented bodies, parameters, error responses...
    assert len(EXAMPLES) > 60


def test_media_types_use_singular_example() -> None:
    for path, method, op in operations():
        bodies = [op.get("requestBody", {})] + [resolve(r) for r in op["responses"].values()]
        for body in bodies:
            for media_type, media in resolve(body).get("content", {}).items():
                assert "examples" not in media, f"{method.upper()} {path} {media_type}"


def test_every_parameter_has_an_example() -> None:
    for path, method, op in operations():
        for param in operation_parameters(SPEC["paths"][path], op):
            assert "example" in param, f"{method.upper()} {path}: {param['name']}"


# ------------------------------------------------------------------ operations


@pytest.mark.parametrize(("path", "method", "op"), list(operations()), ids=operation_ids())
def test_operation_metadata(path: str, method: str, op: dict[str, Any]) -> None:
    declared_tags = {tag["name"] for tag in SPEC["tags"]}
    assert len(op.get("tags", [])) == 1, "exactly one tag"
    tag = op["tags"][0]
    assert tag in declared_tags
    assert SNAKE_CASE.match(tag)
    assert SNAKE_CASE.match(op["operationId"]), op["operationId"]
    assert op["operationId"].startswith(tag + "_")
    assert op["operationId"] != tag + "_"
    assert op.get("summary", "").strip()
    assert op.get("description", "").strip()


def test_operation_ids_are_unique() -> None:
    ids = [op["operationId"] for _, _, op in operations()]
    assert len(ids) == len(set(ids))


def test_every_tag_is_used_and_described() -> None:
    used = {op["tags"][0] for _, _, op in operations()}
    for tag in SPEC["tags"]:
        assert tag["name"] in used
        assert tag.get("description", "").strip()


@pytest.mark.parametrize(("path", "method", "op"), list(operations()), ids=operation_ids())
def test_operation_security(path: str, method: str, op: dict[str, Any]) -> None:
    schemes = SPEC["components"]["securitySchemes"]
    requirements = op.get("security")
    assert requirements, "a security requirement is expected"
    for requirement in requirements:
        assert requirement, "an empty requirement would make the operation anonymous"
        for name, scopes in requirement.items():
            assert name in schemes
            if op.get("x-scopes-undocumented"):
                # The docs give no API key scope for this operation: none is claimed.
                assert scopes == []
            else:
                assert len(scopes) >= 1
                assert all(re.fullmatch(r"[a-z_]+:(read|write)", s) for s in scopes), scopes


@pytest.mark.parametrize(("path", "method", "op"), list(operations()), ids=operation_ids())
def test_operation_responses(path: str, method: str, op: dict[str, Any]) -> None:
    responses = op["responses"]
    success = [code for code in responses if str(code).startswith("2")]
    # Annotations cannot be hard-deleted: the docs document only a 405 for that DELETE.
    assert success or "405" in responses, "a 2xx response is expected"
    for code in ("401", "403", "429"):
        assert code in responses, f"missing {code}"
    if "{id}" in path:
        assert "404" in responses
    if "requestBody" in op:
        assert "400" in responses
    for code, response in responses.items():
        response = resolve(response)
        assert response.get("description", "").strip(), code
        if code == "204":
            assert "content" not in response
        elif str(code).startswith("2"):
            assert "application/json" in response.get("content", {}), code


def test_path_parameters_match_templates() -> None:
    for path, method, op in operations():
        declared = {
            p["name"] for p in operation_parameters(SPEC["paths"][path], op) if p["in"] == "path"
        }
        assert declared == set(re.findall(r"{(\w+)}", path)), f"{method.upper()} {path}"
        for param in operation_parameters(SPEC["paths"][path], op):
            if param["in"] == "path":
                assert param.get("required") is True


def test_paths_keep_trailing_slash() -> None:
    for path in SPEC["paths"]:
        assert path.startswith("/api/")
        assert path.endswith("/"), path


def test_request_bodies_are_json_refs() -> None:
    for path, method, op in operations():
        if "requestBody" not in op:
            continue
        body = resolve(op["requestBody"])
        schema = body["content"]["application/json"]["schema"]
        assert "$ref" in schema, f"{method.upper()} {path}"
        if resolve(schema).get("required") and method == "post":
            assert body.get("required") is True, f"{method.upper()} {path}"


# ----------------------------------------------------------------- pagination


def test_paginated_schemas_have_the_drf_shape() -> None:
    schemas = SPEC["components"]["schemas"]
    paginated = [name for name in schemas if name.startswith("Paginated")]
    assert paginated
    for name in paginated:
        schema = schemas[name]
        assert re.fullmatch(r"Paginated\w+List", name)
        assert set(schema["properties"]) == PAGINATION_KEYS, name
        assert set(schema["required"]) >= {"count", "results"}
        assert schema["properties"]["count"]["type"] == "integer"
        for key in ("next", "previous"):
            assert schema["properties"][key]["type"] == ["string", "null"]
            assert schema["properties"][key]["format"] == "uri"
        results = schema["properties"]["results"]
        assert results["type"] == "array"
        assert "$ref" in results["items"]


def test_list_operations_are_paginated_with_shared_parameters() -> None:
    for path, method, op in operations():
        names = {resolve(p).get("name") for p in op.get("parameters", [])}
        paginated = "limit" in names
        assert paginated == ("offset" in names), path
        schema_ref = (
            (op["responses"].get("200", {}).get("content", {}).get("application/json", {}))
            .get("schema", {})
            .get("$ref", "")
        )
        returns_page = schema_ref.startswith("#/components/schemas/Paginated")
        # A page always takes limit/offset; a few endpoints take (and ignore) them without
        # paging, which their x-docs-differ records.
        assert paginated == returns_page or "x-docs-differ" in op, f"{method.upper()} {path}"


# ----------------------------------------------------------------- components


def test_no_unused_components() -> None:
    used: set[tuple[str, str]] = set()
    pending = list(refs_in(SPEC["paths"]))
    while pending:
        key = component_of(pending.pop())
        if key not in used:
            used.add(key)
            pending.extend(refs_in(SPEC["components"][key[0]][key[1]]))
    for _, _, op in operations():
        for requirement in op.get("security", []):
            used.update(("securitySchemes", name) for name in requirement)
    defined = {
        (section, name) for section, members in SPEC["components"].items() for name in members
    }
    assert defined - used == set()


def test_error_responses_use_error_schema() -> None:
    responses = SPEC["components"]["responses"]
    for name in ("BadRequest", "Unauthorized", "Forbidden", "NotFound", "TooManyRequests"):
        media = responses[name]["content"]["application/json"]
        assert media["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}
        assert "example" in media
    error = SPEC["components"]["schemas"]["ErrorResponse"]
    assert set(error["properties"]) == {"type", "code", "detail", "attr"}
    assert error["properties"]["attr"]["type"] == ["string", "null"]


def test_enum_schemas_declare_type() -> None:
    for name, schema in SPEC["components"]["schemas"].items():
        if name.endswith("Enum"):
            assert schema["type"] in ("string", "integer"), name
            assert schema["enum"], name
            assert all(
                isinstance(v, str if schema["type"] == "string" else int) for v in schema["enum"]
            )


def request_body_schemas() -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, schema) for every schema reachable from a request body."""
    seen: set[int] = set()
    pending: list[tuple[str, Any]] = []
    for path, method, op in operations():
        if "requestBody" in op:
            for media in resolve(op["requestBody"])["content"].values():
                pending.append((f"{method.upper()} {path}", media["schema"]))
    while pending:
        label, node = pending.pop()
        node = resolve(node)
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        yield label, node
        for sub in node.get("properties", {}).values():
            pending.append((label, sub))
        for key in ("oneOf", "anyOf", "allOf"):
            pending.extend((label, sub) for sub in node.get(key, []))
        if isinstance(node.get("items"), dict):
            pending.append((label, node["items"]))


def test_request_schemas_never_require_read_only_fields() -> None:
    checked = 0
    for label, schema in request_body_schemas():
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            checked += 1
            prop = properties.get(name, {})
            assert not prop.get("readOnly"), f"{label}: {name} is readOnly but required"
            assert not resolve(prop).get("readOnly"), f"{label}: {name} is readOnly but required"
    assert checked, "no required request field was found to check"


def test_request_schemas_hold_no_read_only_fields() -> None:
    for label, schema in request_body_schemas():
        for name, prop in schema.get("properties", {}).items():
            assert not prop.get("readOnly"), f"{label}: {name}"


# ------------------------------------------------------------------- coverage


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
