"""The intermediate model: everything the templates need, nothing they must compute.

The parser turns an OpenAPI document into these frozen dataclasses; the renderer only reads
them. Keeping the model small and explicit is what lets the templates stay free of logic and
lets `review` compare two client surfaces without rendering any code.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Literal

from generator.ir.literals import python_string
from generator.ir.naming import import_order

# Part of the model, kept in their own module: how a schema is written in Python.
from generator.ir.types import PLAIN_KINDS as PLAIN_KINDS
from generator.ir.types import Discriminator as Discriminator
from generator.ir.types import TypeKind as TypeKind
from generator.ir.types import TypeRef as TypeRef


@dataclass(frozen=True)
class Field:
    """One property of a model, or one keyword argument built from a request body."""

    wire_name: str
    py_name: str
    type: TypeRef
    required: bool
    read_only: bool = False
    description: str = ""
    pointer: str = ""

    @property
    def renamed(self) -> bool:
        """The Python name is not the wire name: the field records the wire name."""
        return self.py_name != self.wire_name


@dataclass(frozen=True)
class Model:
    """An object schema rendered as a dataclass with from_dict/to_dict."""

    name: str
    module: str
    pointer: str
    description: str
    fields: tuple[Field, ...]
    # The type of properties the schema does not name (a schema-valued additionalProperties);
    # None keeps them as plain JSON.
    extra_type: TypeRef | None = None

    @property
    def required_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.required)

    @property
    def optional_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if not f.required)

    def types(self) -> list[TypeRef]:
        types = [f.type for f in self.fields]
        if self.extra_type is not None:
            types.append(self.extra_type)
        return types

    def kinds(self) -> set[str]:
        return set().union(*(t.kinds() for t in self.types()))

    @property
    def has_discriminator(self) -> bool:
        return any(t.has_discriminator for t in self.types())

    def referenced(self, kind: Literal["model", "enum"]) -> list[str]:
        """Other classes of `kind` this model's fields use, sorted (for imports)."""
        names: set[str] = set()
        for type_ref in self.types():
            names |= type_ref.referenced(kind)
        names.discard(self.name)
        return sorted(names)


@dataclass(frozen=True)
class EnumMember:
    py_name: str
    value: str | int


@dataclass(frozen=True)
class Enum:
    """A string or integer enum; unknown server values are still accepted at runtime."""

    name: str
    module: str
    pointer: str
    description: str
    value_kind: Literal["str", "int"]
    members: tuple[EnumMember, ...]


ParameterLocation = Literal["path", "query", "header", "cookie"]


@dataclass(frozen=True)
class Parameter:
    wire_name: str
    py_name: str
    location: ParameterLocation
    type: TypeRef
    required: bool
    description: str = ""
    client_default: str | None = None  # name of the client-level default, e.g. "project_id"
    env_var: str | None = None
    example: Any = None
    has_example: bool = False
    serialization: Serialization = "plain"


@dataclass(frozen=True)
class RequestBody:
    """A request body whose top-level fields become keyword arguments.

    JSON, form (`application/x-www-form-urlencoded`) and multipart bodies with properties are
    split into fields; any other body is passed whole as `body=`. The runtime encodes it by
    `content_type`.
    """

    content_type: str
    required: bool
    fields: tuple[Field, ...]
    schema_name: str | None  # the component model it came from, when named
    example: Any = None
    has_example: bool = False
    # A body that is not an object with properties is passed whole as `body=`.
    whole_type: TypeRef | None = None


ReturnKind = Literal["none", "json", "page"]
ResponseFormat = Literal["json", "text", "bytes"]


@dataclass(frozen=True)
class Response:
    status: str
    description: str
    type: TypeRef | None
    content_type: str | None
    example: Any = None
    has_example: bool = False


ArgumentSource = Literal["path", "query", "header", "cookie", "body_field", "body"]
# How a parameter value is spelled on the wire, beyond the default (a query list repeats its
# key, a header or path list is comma-joined): OpenAPI's `style`/`explode`, and `content`.
Serialization = Literal[
    "plain",  # as is (lists: repeated query keys, comma-joined headers and path segments)
    "comma",  # style form, explode false: a=1,2,3
    "space",  # spaceDelimited: a=1%202%203
    "pipe",  # pipeDelimited: a=1|2|3
    "deep_object",  # deepObject: a[x]=1&a[y]=2
    "exploded_object",  # form, explode true, on an object: x=1&y=2
    "json",  # `content: {application/json: ...}`: the JSON text
]


@dataclass(frozen=True)
class Argument:
    """A keyword argument of a client method: a parameter, a body field, or the whole body."""

    py_name: str
    wire_name: str
    source: ArgumentSource
    type: TypeRef
    required: bool  # required in the signature (client defaults make a path param optional)
    description: str = ""
    client_default: str | None = None
    serialization: Serialization = "plain"

    @property
    def wire_expression(self) -> str:
        """The Python expression a method sends for this argument: its value as JSON data,
        or spelled as its parameter style asks (`_models.delimited(tags, ",")`)."""
        separator = _SEPARATORS.get(self.serialization)
        if separator is not None:
            return f"_models.delimited({self.py_name}, {python_string(separator)})"
        if self.serialization == "json":
            return f"_models.json_param({self.py_name})"
        if self.type.is_plain or self.client_default:
            return self.py_name
        return f"_models.to_json({self.py_name})"  # passes UNSET and None through


_SEPARATORS = {"comma": ",", "space": " ", "pipe": "|"}


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method_name: str
    http_method: str
    path: str
    tag: str
    summary: str
    description: str
    pointer: str
    parameters: tuple[Parameter, ...]
    body: RequestBody | None
    success: Response
    responses: tuple[Response, ...]
    scopes: tuple[str, ...]
    return_kind: ReturnKind
    return_type: TypeRef | None  # the parsed type; for pages, the item type
    arguments: tuple[Argument, ...] = ()  # signature order: required first, then optional
    deprecated: bool = False
    # How the success body is read: JSON (the default), text, or raw bytes.
    response_format: ResponseFormat = "json"
    # The Accept header to send when the success body is not JSON (e.g. "text/csv").
    accept: str | None = None
    # The spec's `security`: alternatives, each the scheme names that must all be sent; `()`
    # is the anonymous alternative (`security: []`, `{}`, or no security anywhere).
    security: Security = ((),)

    @property
    def path_segments(self) -> tuple[PathSegment, ...]:
        return split_path(self.path, self.arguments)

    @property
    def path_parameters(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == "path")

    @property
    def query_parameters(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == "query")

    def arguments_from(self, source: ArgumentSource) -> tuple[Argument, ...]:
        return tuple(a for a in self.arguments if a.source == source)

    @property
    def has_body(self) -> bool:
        return any(a.source in ("body", "body_field") for a in self.arguments)

    @property
    def body_content_type(self) -> str | None:
        """The request's Content-Type when it is not plain JSON (the runtime's default)."""
        if self.body is None or self.body.content_type == "application/json":
            return None
        return self.body.content_type

    def kinds(self) -> set[str]:
        return set().union(*(t.kinds() for t in self.types()))

    def types(self) -> list[TypeRef]:
        """Every type in the method's signature and result."""
        types = [a.type for a in self.arguments]
        if self.return_type is not None:
            types.append(self.return_type)
        return types


@dataclass(frozen=True)
class Resource:
    """One API group (tag): a class with one method per operation."""

    tag: str
    attribute: str
    class_name: str
    module: str
    description: str
    operations: tuple[Operation, ...]

    def kinds(self) -> set[str]:
        return set().union(*(op.kinds() for op in self.operations))

    def referenced(self, kind: Literal["model", "enum"]) -> list[str]:
        """Classes of `kind` any method uses, sorted (for imports)."""
        names: set[str] = set()
        for operation in self.operations:
            for type_ref in operation.types():
                names |= type_ref.referenced(kind)
        return sorted(names)


@dataclass(frozen=True)
class ClientDefault:
    """A path parameter the client fills in when a call leaves it out (e.g. project_id)."""

    name: str
    env_var: str


SchemeKind = Literal["bearer", "basic", "header", "query", "cookie"]
# Alternatives of a `security` list; each alternative names the schemes it sends together.
Security = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class SecurityScheme:
    """One of the spec's securitySchemes, as the client sends it.

    `bearer` covers http bearer, OAuth2 and OpenID Connect (a token in `Authorization`);
    `header`/`query`/`cookie` are apiKey schemes sending `parameter`; `basic` takes a user
    name and password (`<argument>_username`, `<argument>_password`).
    """

    name: str  # the spec's key under components/securitySchemes
    kind: SchemeKind
    argument: str  # the client's keyword argument
    env_var: str  # the environment variable, prefix included
    parameter: str = ""  # header, query or cookie name of an apiKey scheme
    description: str = ""

    @property
    def arguments(self) -> tuple[str, ...]:
        """The client's keyword arguments for this scheme (two for basic)."""
        if self.kind == "basic":
            return (f"{self.argument}_username", f"{self.argument}_password")
        return (self.argument,)

    @property
    def env_vars(self) -> tuple[str, ...]:
        if self.kind == "basic":
            return (f"{self.env_var}_USERNAME", f"{self.env_var}_PASSWORD")
        return (self.env_var,)


@dataclass(frozen=True)
class Warning:
    pointer: str
    message: str


@dataclass(frozen=True)
class Api:
    title: str
    version: str
    description: str
    spec_name: str
    spec_sha256: str
    servers: tuple[str, ...]
    resources: tuple[Resource, ...]
    models: tuple[Model, ...]
    enums: tuple[Enum, ...]
    client_defaults: tuple[ClientDefault, ...]
    warnings: tuple[Warning, ...] = field(default=())
    security_schemes: tuple[SecurityScheme, ...] = ()
    # The requirement most operations have; the client table lists only the others.
    default_security: Security = ((),)
    default_host: str | None = None  # the first server URL, variables at their defaults

    @property
    def security_overrides(self) -> tuple[Operation, ...]:
        """Operations whose security differs from `default_security`."""
        return tuple(op for op in self.operations if op.security != self.default_security)

    @property
    def auth_required(self) -> bool:
        """Every operation needs a credential: a client without any is refused when built."""
        return bool(self.security_schemes) and all(() not in op.security for op in self.operations)

    @property
    def operations(self) -> tuple[Operation, ...]:
        return tuple(op for resource in self.resources for op in resource.operations)

    @functools.cached_property
    def modules(self) -> dict[str, str]:
        """Class name -> module name under `models/`, for imports."""
        classes: tuple[Model | Enum, ...] = (*self.models, *self.enums)
        return {item.name: item.module for item in classes}

    def imports(self, names: list[str]) -> list[tuple[str, str]]:
        """(module, class name) pairs for `from .module import Name`, in isort order."""
        modules = self.modules
        pairs = ((modules[name], name) for name in names)
        return sorted(pairs, key=lambda pair: (import_order(pair[0]), import_order(pair[1])))


@dataclass(frozen=True)
class PathSegment:
    """A piece of a path template: literal text, or a parameter to fill in."""

    text: str
    argument: Argument | None = None


def split_path(path: str, arguments: tuple[Argument, ...]) -> tuple[PathSegment, ...]:
    """`/a/{id}/b/` -> literal `/a/`, parameter `id`, literal `/b/` (unknown names stay literal)."""
    by_wire = {a.wire_name: a for a in arguments if a.source == "path"}
    segments: list[PathSegment] = []
    rest = path
    while rest:
        start = rest.find("{")
        end = rest.find("}", start)
        if start < 0 or end < 0:
            segments.append(PathSegment(rest))
            break
        if start:
            segments.append(PathSegment(rest[:start]))
        name = rest[start + 1 : end]
        parameter = by_wire.get(name)
        segments.append(PathSegment(rest[start : end + 1], parameter))
        rest = rest[end + 1 :]
    return tuple(segments)
