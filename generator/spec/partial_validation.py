"""Validate only what a change can affect: the one partial-validation path.

Two callers know that most of a document is valid already:

- `generate` after a small edit: generator.spec.yaml_chunks remembers which pieces were part of
  a document that passed validation (`validated_entries`);
- `diff`: once the head passed, every path item and component the base shares with it verbatim
  (`identical_entries`).

The validator's checks are local to the node they look at, with two exceptions this module
accounts for:

- references: some checks read what a node refers to: a `default`, an example or a
  discriminator is checked against its schema resolved, `required` beside `allOf`/`anyOf`/
  `oneOf` looks for properties in the referenced parts, and a path's placeholders must be
  among its (maybe referenced) parameters. So an entry that makes such a check over `$ref`s
  that lead, directly or not, to a changed entry is validated again, and every component the
  validated part refers to is included (so every ref resolves);
- operationId uniqueness, the one check across the whole document, is repeated over the whole
  document (`duplicate_operation_id`).

Everything that is neither a path item nor a named component (info, servers, security, webhooks,
the security schemes, which are named rather than referenced) is always validated.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from generator.errors import SpecError
from generator.spec.load import HTTP_METHODS, LoadedSpec, escape_pointer_token
from generator.spec.locate import Locator, pointer_tokens, ref_pointer

Entry = tuple[str, str]  # ("paths", "/a/"), ("schemas", "Pet"), ("parameters", "Limit"), ...
_COMPONENTS = "#/components/"
_ALWAYS_WHOLE = frozenset({"securitySchemes"})  # named by security requirements, never $ref'd


def validation_target(spec: LoadedSpec) -> dict[str, Any]:
    """The document the validator must see: all of it, or the part a change can affect."""
    validated = spec.pieces.validated_entries() if spec.pieces is not None else frozenset()
    if not validated:
        return spec.data
    return partial_document(spec.data, validated) or spec.data


def identical_entries(data: dict[str, Any], reference: dict[str, Any]) -> frozenset[Entry]:
    """The path items and components of `data` that `reference` has verbatim."""
    theirs = _entries(reference)
    return frozenset(
        entry for entry, node in _entries(data).items() if theirs.get(entry, _ABSENT) == node
    )


def partial_document(
    data: dict[str, Any], known_valid: frozenset[Entry], *, examples_checked: bool = True
) -> dict[str, Any] | None:
    """`data` without the path items and components that are `known_valid` and cannot be
    affected by what changed; None when that cannot be worked out safely (the caller then
    validates the whole document). `examples_checked`: the validator also checks examples
    against their schemas (generator.spec.examples), so an example reads its schema's refs."""
    entries = _entries(data)
    if not entries:
        return None
    uses: dict[Entry, set[Entry]] = {}
    for entry, node in entries.items():
        refs = _component_refs(node)
        if refs is None:
            return None  # a ref into paths or elsewhere: leave the whole document to the validator
        uses[entry] = refs
    changed = {entry for entry in uses if entry not in known_valid}
    stale = changed | {
        entry
        for entry in _referrers(changed, uses)
        if _reads_through_refs(entries[entry], examples_checked)
    }
    always = _component_refs(_without_entries(data))
    if always is None:
        return None
    wanted = _closure({used for entry in stale for used in uses[entry]} | always | stale, uses)
    return _with_entries(data, entries, wanted)


def edited_paths_document(data: dict[str, Any], edited: frozenset[str]) -> dict[str, Any] | None:
    """partial_document for an edit confined to the `edited` path items, nothing referring
    into `paths` (generator.spec.edits), for a check that counts every component schema as
    checked already (openapi_check's `schemas_known_valid`): those items, the other components
    they use, every component schema (not walked: the check reads them only through refs), and
    the parts that are always validated. Extensions at the top (GitHub's `x-webhooks`: 0.6 MB)
    are left out: unchanged, and no check reads inside them."""
    data = {key: value for key, value in data.items() if not str(key).startswith("x-")}
    entries = _entries(data)
    always = _component_refs(_without_entries(data))
    if always is None:
        return None
    wanted = {entry for entry in entries if entry[0] == "schemas"}
    queue = [*always, *(("paths", path) for path in edited)]
    while queue:
        entry = queue.pop()
        if entry in wanted or entry not in entries:
            continue
        refs = _component_refs(entries[entry])
        if refs is None:
            return None
        wanted.add(entry)
        queue.extend(refs)
    return _with_entries(data, entries, wanted)


def _with_entries(
    data: dict[str, Any], entries: dict[Entry, Any], wanted: set[Entry]
) -> dict[str, Any]:
    part = _without_entries(data)
    for (section, key), node in entries.items():
        if (section, key) in wanted:
            target = part["paths"] if section == "paths" else part["components"][section]
            target[key] = node
    return part


def duplicate_operation_id(data: dict[str, Any]) -> tuple[str, str] | None:
    """(pointer, message) of the first operationId used twice: the validator's one
    document-wide check, for callers that showed it only part of the document."""
    seen: set[str] = set()
    paths = data.get("paths")
    for url, item in (paths if isinstance(paths, dict) else {}).items():
        for method in HTTP_METHODS:
            operation = item.get(method) if isinstance(item, dict) else None
            operation_id = operation.get("operationId") if isinstance(operation, dict) else None
            if not isinstance(operation_id, str):
                continue
            if operation_id in seen:
                pointer = f"/paths/{escape_pointer_token(str(url))}/{method}/operationId"
                return pointer, (
                    f"Operation ID {operation_id!r} for {method!r} in {url!r} is not unique"
                )
            seen.add(operation_id)
    return None


def check_operation_ids(spec: LoadedSpec) -> None:
    """duplicate_operation_id as a SpecError at its line in the spec file."""
    duplicate = duplicate_operation_id(spec.data)
    if duplicate is not None:
        pointer, message = duplicate
        raise SpecError(spec.display_name, message, Locator(spec.path).where(pointer))


_ABSENT = object()


def _entries(data: dict[str, Any]) -> dict[Entry, Any]:
    """Every path item and named component (security schemes aside) of `data`."""
    found: dict[Entry, Any] = {}
    paths, components = data.get("paths"), data.get("components")
    if isinstance(paths, dict):
        found.update((("paths", str(key)), node) for key, node in paths.items())
    if isinstance(components, dict):
        for section, named in components.items():
            if isinstance(named, dict) and section not in _ALWAYS_WHOLE and section != "paths":
                found.update(((str(section), str(key)), node) for key, node in named.items())
    return found


def _without_entries(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with empty `paths` and component sections (the original key order kept)."""
    part = dict(data)
    if isinstance(data.get("paths"), dict):
        part["paths"] = {}
    components = data.get("components")
    if isinstance(components, dict):
        part["components"] = {
            section: {} if isinstance(named, dict) and section not in _ALWAYS_WHOLE else named
            for section, named in components.items()
        }
    return part


def _referrers(changed: set[Entry], uses: dict[Entry, set[Entry]]) -> set[Entry]:
    """Every entry that refers to a changed one, directly or through other entries."""
    users: dict[Entry, list[Entry]] = defaultdict(list)
    for entry, used in uses.items():
        for target in used:
            users[target].append(entry)
    found: set[Entry] = set()
    queue = list(changed)
    while queue:
        for user in users.get(queue.pop(), ()):
            if user not in found:
                found.add(user)
                queue.append(user)
    return found - changed


_VALUE_CHECKS = ("default", "discriminator")
_EXAMPLES = ("example", "examples")
_COMPOSITION = ("allOf", "anyOf", "oneOf")


def _reads_through_refs(node: Any, examples_checked: bool) -> bool:
    """Whether a check of `node` reads what its `$ref`s lead to (see the module docstring): a
    local `$ref` at or below a node that makes such a check, or referenced parameters. One
    walk, each node knowing whether a node above it checks. Generous: a property named
    `default` counts too."""
    stack: list[tuple[Any, bool]] = [(node, False)]
    while stack:
        current, checked = stack.pop()
        if isinstance(current, dict):
            if _refers_to_parameters(current):
                return True
            checked = checked or _checks_values(current, examples_checked)
            ref = current.get("$ref")
            if checked and isinstance(ref, str) and ref.startswith("#"):
                return True
            stack.extend((child, checked) for child in current.values())
        elif isinstance(current, list):
            stack.extend((child, checked) for child in current)
    return False


def _refers_to_parameters(node: dict[str, Any]) -> bool:
    parameters = node.get("parameters")
    return isinstance(parameters, list) and any(
        isinstance(parameter, dict) and "$ref" in parameter for parameter in parameters
    )


def _checks_values(node: dict[str, Any], examples_checked: bool) -> bool:
    """A default, example or discriminator checked against its schema, or `required` looked
    up in composed parts: checks that read the schema whole, `$ref`s resolved."""
    return (
        any(key in node for key in _VALUE_CHECKS)
        or (examples_checked and any(key in node for key in _EXAMPLES))
        or ("required" in node and any(key in node for key in _COMPOSITION))
    )


def _closure(entries: set[Entry], uses: dict[Entry, set[Entry]]) -> set[Entry]:
    """`entries` and every component they refer to, directly or not (so every ref resolves)."""
    wanted: set[Entry] = set()
    queue = list(entries)
    while queue:
        entry = queue.pop()
        if entry not in wanted:
            wanted.add(entry)
            queue.extend(uses.get(entry, ()))
    return wanted


def _component_refs(node: Any) -> set[Entry] | None:
    """The components `node` refers to directly; None if it refers anywhere else in the
    document (into `paths`, or to a part of `components` that is not a named component)."""
    found: set[Entry] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str) and ref.startswith("#"):
                if not ref.startswith(_COMPONENTS):
                    return None
                tokens = pointer_tokens(ref_pointer(ref))
                if len(tokens) < 3 or tokens[1] in _ALWAYS_WHOLE:
                    return None
                found.add((tokens[1], tokens[2]))
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return found
