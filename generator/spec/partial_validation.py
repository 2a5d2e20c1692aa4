"""After a small spec change, validate only what the change can affect.

Validating a 10 MB spec takes 3 s; a one-operation edit leaves all but one path item as they
were when the last run validated them (generator.spec.yaml_chunks remembers which pieces those
were). The validator's checks are local to the node they look at, with two exceptions this
module accounts for:

- references: a path item or schema is checked together with the schemas it refers to (its
  defaults and examples must fit them), so whatever refers, directly or not, to a changed
  schema is validated again, and every schema the validated part refers to is included;
- operationId uniqueness, the one check across the whole document, is repeated here.

Everything that is not a path item or a schema (info, servers, security, the other component
sections) is always validated.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from generator.errors import SpecError
from generator.spec.load import HTTP_METHODS, LoadedSpec, escape_pointer_token
from generator.spec.locate import Locator

Entry = tuple[str, str]  # ("paths", "/a/") or ("schemas", "Pet")
_SCHEMA_REF = "#/components/schemas/"
_OPERATIONS = HTTP_METHODS


def validation_target(spec: LoadedSpec) -> dict[str, Any]:
    """The document the validator must see: all of it, or the part a change can affect."""
    validated = spec.pieces.validated_entries() if spec.pieces is not None else frozenset()
    if not validated:
        return spec.data
    return partial_document(spec.data, validated) or spec.data


def partial_document(data: dict[str, Any], validated: frozenset[Entry]) -> dict[str, Any] | None:
    """`data` without the path items and schemas that are known valid and cannot be affected
    by what changed; None when that would not save much, or cannot be worked out safely."""
    paths, components = data.get("paths"), data.get("components")
    if not isinstance(paths, dict) or not isinstance(components, dict):
        return None
    schemas = components.get("schemas")
    if not isinstance(schemas, dict):
        return None
    uses: dict[Entry, set[str]] = {}
    for section, entries in (("paths", paths), ("schemas", schemas)):
        for key, node in entries.items():
            refs = _schema_refs(node)
            if refs is None:
                return None  # a ref into paths: leave the whole document to the validator
            uses[(section, str(key))] = refs
    stale = _stale_entries(uses, validated)
    if len(stale) * 2 > len(uses):
        return None
    rest = {key: value for key, value in data.items() if key != "paths"}
    rest["components"] = {key: value for key, value in components.items() if key != "schemas"}
    always = _schema_refs(rest)  # info, servers, parameters, responses... are always validated
    if always is None:
        return None
    seeds = {name for entry in stale for name in uses[entry]} | always
    seeds |= {name for section, name in stale if section == "schemas"}
    wanted = _closure(seeds, uses)
    rest["components"]["schemas"] = {k: v for k, v in schemas.items() if str(k) in wanted}
    rest["paths"] = {k: v for k, v in paths.items() if ("paths", str(k)) in stale}
    return {key: rest[key] for key in data}  # the original key order


def check_operation_ids(spec: LoadedSpec) -> None:
    """The validator's one document-wide check, for when it saw only part of the document."""
    seen: set[str] = set()
    for url, item in (spec.data.get("paths") or {}).items():
        for method in _OPERATIONS:
            operation = item.get(method) if isinstance(item, dict) else None
            operation_id = operation.get("operationId") if isinstance(operation, dict) else None
            if operation_id is None:
                continue
            if operation_id in seen:
                pointer = f"/paths/{escape_pointer_token(str(url))}/{method}/operationId"
                raise SpecError(
                    spec.display_name,
                    f"Operation ID {operation_id!r} for {method!r} in {url!r} is not unique",
                    Locator(spec.path).where(pointer),
                )
            seen.add(operation_id)


def _stale_entries(uses: dict[Entry, set[str]], validated: frozenset[Entry]) -> set[Entry]:
    """Entries not validated before, plus every entry that refers to one of those schemas."""
    stale = {entry for entry in uses if entry not in validated}
    users: dict[str, list[Entry]] = defaultdict(list)
    for entry, names in uses.items():
        for name in names:
            users[name].append(entry)
    queue = [name for section, name in stale if section == "schemas"]
    while queue:
        for user in users.get(queue.pop(), ()):
            if user not in stale:
                stale.add(user)
                if user[0] == "schemas":
                    queue.append(user[1])
    return stale


def _closure(names: set[str], uses: dict[Entry, set[str]]) -> set[str]:
    """`names` and every schema they refer to, directly or not (so every ref resolves)."""
    wanted: set[str] = set()
    queue = list(names)
    while queue:
        name = queue.pop()
        if name not in wanted:
            wanted.add(name)
            queue.extend(uses.get(("schemas", name), ()))
    return wanted


def _schema_refs(node: Any) -> set[str] | None:
    """Names of the schemas `node` refers to directly; None if it refers into `paths`."""
    names: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str):
                if ref.startswith("#/paths"):
                    return None
                if ref.startswith(_SCHEMA_REF):
                    token = ref[len(_SCHEMA_REF) :].split("/", 1)[0]
                    names.add(token.replace("~1", "/").replace("~0", "~"))
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return names
