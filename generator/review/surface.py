"""The public Python API a spec produces, and what changes in it between two specs.

Reviewers of a spec change want to know what happens to code that calls the generated client:
a renamed method, a new required argument, a field that disappeared. The surface is read off
the intermediate model, i.e. exactly what the templates render, without rendering anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from generator.ir.model import Api, Argument, Operation, TypeRef

Severity = Literal["breaking", "warning", "info"]


@dataclass(frozen=True)
class ParameterSurface:
    name: str
    annotation: str
    required: bool
    default: str  # "" when required, else "None" (client default) or "UNSET"

    def describe(self) -> str:
        return f"{self.name}: {self.annotation}"


@dataclass(frozen=True)
class MethodSurface:
    qualified_name: str  # client.annotations.create
    route: str  # "GET /api/.../", to recognise a renamed method
    parameters: dict[str, ParameterSurface]
    returns: str


@dataclass(frozen=True)
class FieldSurface:
    annotation: str
    required: bool


@dataclass(frozen=True)
class Surface:
    methods: dict[str, MethodSurface]
    models: dict[str, dict[str, FieldSurface]]
    enums: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class SurfaceChange:
    severity: Severity
    rule: str
    subject: str  # the Python name a user would search their code for
    message: str


def surface_of(api: Api) -> Surface:
    methods = {}
    for resource in api.resources:
        for operation in resource.operations:
            name = f"client.{resource.attribute}.{operation.method_name}"
            methods[name] = MethodSurface(
                qualified_name=name,
                route=f"{operation.http_method} {operation.path}",
                parameters={a.py_name: _parameter(a) for a in operation.arguments},
                returns=_returns(operation),
            )
    models = {
        model.name: {
            f.py_name: FieldSurface(annotation=f.type.doc_annotation, required=f.required)
            for f in model.fields
        }
        for model in api.models
    }
    enums = {enum.name: tuple(str(m.value) for m in enum.members) for enum in api.enums}
    return Surface(methods=methods, models=models, enums=enums)


def _parameter(argument: Argument) -> ParameterSurface:
    if argument.client_default:
        default = "None"
    elif argument.required:
        default = ""
    else:
        default = "UNSET"
    return ParameterSurface(
        name=argument.py_name,
        annotation=argument.type.without_enum_values().doc_annotation,
        required=argument.required,
        default=default,
    )


def _returns(operation: Operation) -> str:
    item: TypeRef | None = operation.return_type
    if operation.return_kind == "page" and item is not None:
        return f"SyncPage[{item.doc_annotation}]"
    return item.doc_annotation if item is not None else "None"


def diff_surfaces(base: Surface, head: Surface) -> list[SurfaceChange]:
    """Every change a caller of the generated client would notice, most severe first."""
    changes = [
        *_method_changes(base, head),
        *_model_changes(base, head),
        *_enum_changes(base, head),
    ]
    order = {"breaking": 0, "warning": 1, "info": 2}
    return sorted(changes, key=lambda c: (order[c.severity], c.subject, c.rule, c.message))


def _method_changes(base: Surface, head: Surface) -> list[SurfaceChange]:
    changes = []
    removed = sorted(base.methods.keys() - head.methods.keys())
    added = sorted(head.methods.keys() - base.methods.keys())
    # A method gone on one side and new on the other for the same route was renamed.
    added_by_route = {head.methods[name].route: name for name in added}
    pairs = [(name, name) for name in sorted(base.methods.keys() & head.methods.keys())]
    for name in removed:
        new_name = added_by_route.pop(base.methods[name].route, None)
        if new_name is None:
            changes.append(_change("breaking", "method-removed", f"{name}()", "method removed"))
            continue
        changes.append(
            _change("breaking", "method-renamed", f"{name}()", f"renamed to {new_name}()")
        )
        pairs.append((name, new_name))
    for name in sorted(added_by_route.values()):
        changes.append(_change("info", "method-added", f"{name}()", "new method"))
    for old_name, new_name in pairs:
        old, new = base.methods[old_name], head.methods[new_name]
        subject = f"{new_name}()"
        changes += _parameter_changes(subject, old.parameters, new.parameters)
        if old.returns != new.returns:
            changes.append(
                _change(
                    "breaking",
                    "return-type-changed",
                    subject,
                    f"returns {new.returns} instead of {old.returns}",
                )
            )
    return changes


def _parameter_changes(
    subject: str, old: dict[str, ParameterSurface], new: dict[str, ParameterSurface]
) -> list[SurfaceChange]:
    changes = []
    for name in sorted(old.keys() - new.keys()):
        changes.append(
            _change(
                "breaking",
                "argument-removed",
                subject,
                f"keyword argument '{old[name].describe()}' removed",
            )
        )
    for name in sorted(new.keys() - old.keys()):
        added = new[name]
        if added.required:
            changes.append(
                _change(
                    "breaking",
                    "required-argument-added",
                    subject,
                    f"new required keyword argument '{added.describe()}'",
                )
            )
        else:
            changes.append(
                _change(
                    "info",
                    "optional-argument-added",
                    subject,
                    f"new optional keyword argument '{added.describe()}'",
                )
            )
    for name in sorted(old.keys() & new.keys()):
        before, after = old[name], new[name]
        if after.required and not before.required:
            changes.append(
                _change(
                    "breaking",
                    "argument-now-required",
                    subject,
                    f"keyword argument '{name}' is now required",
                )
            )
        elif before.required and not after.required:
            changes.append(
                _change(
                    "info",
                    "argument-now-optional",
                    subject,
                    f"keyword argument '{name}' is now optional",
                )
            )
        if before.annotation != after.annotation:
            changes.append(
                _change(
                    "breaking",
                    "argument-type-changed",
                    subject,
                    f"keyword argument '{name}' is now {after.annotation}"
                    f" (was {before.annotation})",
                )
            )
        elif before.default != after.default and before.required == after.required:
            changes.append(
                _change(
                    "warning",
                    "argument-default-changed",
                    subject,
                    f"keyword argument '{name}' defaults to {after.default or '(none)'}"
                    f" (was {before.default or '(none)'})",
                )
            )
    return changes


def _model_changes(base: Surface, head: Surface) -> list[SurfaceChange]:
    changes = []
    for name in sorted(base.models.keys() - head.models.keys()):
        changes.append(_change("breaking", "model-removed", name, "model class removed"))
    for name in sorted(head.models.keys() - base.models.keys()):
        changes.append(_change("info", "model-added", name, "new model class"))
    for name in sorted(base.models.keys() & head.models.keys()):
        old, new = base.models[name], head.models[name]
        for field in sorted(old.keys() - new.keys()):
            changes.append(_change("breaking", "field-removed", f"{name}.{field}", "field removed"))
        for field in sorted(new.keys() - old.keys()):
            severity: Severity = "breaking" if new[field].required else "info"
            rule = "required-field-added" if new[field].required else "field-added"
            changes.append(
                _change(
                    severity,
                    rule,
                    f"{name}.{field}",
                    f"new {'required ' if new[field].required else ''}field:"
                    f" {new[field].annotation}",
                )
            )
        for field in sorted(old.keys() & new.keys()):
            before, after = old[field], new[field]
            if before.annotation != after.annotation:
                changes.append(
                    _change(
                        "breaking",
                        "field-type-changed",
                        f"{name}.{field}",
                        f"is now {after.annotation} (was {before.annotation})",
                    )
                )
            if before.required != after.required:
                changes.append(
                    _change(
                        "breaking" if after.required else "warning",
                        "field-now-required" if after.required else "field-now-optional",
                        f"{name}.{field}",
                        "is now required (constructing the model needs it)"
                        if after.required
                        else "may now be UNSET (absent from responses)",
                    )
                )
    return changes


def _enum_changes(base: Surface, head: Surface) -> list[SurfaceChange]:
    changes = []
    for name in sorted(base.enums.keys() - head.enums.keys()):
        changes.append(_change("breaking", "enum-removed", name, "enum class removed"))
    for name in sorted(head.enums.keys() - base.enums.keys()):
        changes.append(_change("info", "enum-added", name, "new enum class"))
    for name in sorted(base.enums.keys() & head.enums.keys()):
        old, new = set(base.enums[name]), set(head.enums[name])
        for value in sorted(old - new):
            changes.append(
                _change("breaking", "enum-member-removed", name, f"member {value!r} removed")
            )
        for value in sorted(new - old):
            changes.append(_change("info", "enum-member-added", name, f"new member {value!r}"))
    return changes


def _change(severity: Severity, rule: str, subject: str, message: str) -> SurfaceChange:
    return SurfaceChange(severity=severity, rule=rule, subject=subject, message=message)
