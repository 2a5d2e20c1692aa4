"""Render the intermediate model through the Jinja templates into (path -> text) pairs.

One table (`plan_files`) says which template makes which output file. Every string from the
spec reaches the output through a filter below that makes it a safe literal or docstring.
"""

from __future__ import annotations

import functools
import json
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import jinja2

from generator.config import GeneratorConfig
from generator.emit.fixtures import Fixture
from generator.emit.format import Layouts
from generator.ir import naming
from generator.ir.literals import python_literal, python_string
from generator.ir.model import Api
from generator.spec.locate import printable

DOCSTRING_WIDTH = 92
TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"

# Runtime modules copied into every package: near-static templates, rendered with the config.
RUNTIME_MODULES = (
    "_base_client.py",
    "_config.py",
    "_constants.py",
    "_core.py",
    "_decoder.py",
    "_drift.py",
    "_encoding.py",
    "_exceptions.py",
    "_models.py",
    "_pagination.py",
    "_response.py",
    "_routes.py",
    "_types.py",
    "testing.py",
)


# The resource template renders each class twice: once blocking, once async.
FLAVORS = (
    {
        "prefix": "",
        "async": "",
        "await": "",
        "client": "SyncAPIClient",
        "page": "SyncPage",
        "raw_wrapper": "to_raw_response_wrapper",
    },
    {
        "prefix": "Async",
        "async": "async ",
        "await": "await ",
        "client": "AsyncAPIClient",
        "page": "AsyncPage",
        "raw_wrapper": "async_to_raw_response_wrapper",
    },
)


@dataclass(frozen=True)
class RenderJob:
    template: str
    output: str
    context: dict[str, Any]
    # What the file shows besides the config, the spec's name and the module of each class
    # (a model, an enum, a resource; RUNTIME for the runtime modules): while these are the
    # same, so is the file. None: the file reads the whole Api.
    subject: object = None


RUNTIME = "runtime"
CLASS_INDEX = "class index"  # models/__init__.py: the module of each class, nothing else


@dataclass(frozen=True)
class PreviousOutput:
    """What the last run rendered, for a run after an edit to keep what it would render alike."""

    api: Api
    config: GeneratorConfig
    files: Mapping[str, str]  # formatted, as written
    layouts: Mapping[str, Layouts]  # per module, black's layouts of parameters in it (format)


def docstring(value: object, indent: int = 4, hanging: int = 0, closing: bool = False) -> str:
    """Text safe inside a triple-quoted docstring: no closing quotes, no escapes, no controls.

    Prose is re-flowed to fit the line length (continuation lines indented by `hanging`, as in
    an `Args:` entry); lists and indented lines keep their breaks. `closing`: the closing
    triple quote follows right after, so a final quote must not touch it.
    """
    text = _docstring(str(value or ""), indent, hanging)
    return _closable(text) if closing else text


# The same description is rendered many times (a field in its model, the request model and
# every method taking it, sync and async): wrapping it once is a third of rendering time.
@functools.lru_cache(maxsize=1 << 16)
def _docstring(value: str, indent: int, hanging: int) -> str:
    text = value.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4)
    if not text.replace("\n", "").isprintable():
        text = "".join(ch for ch in text if ch == "\n" or ch.isprintable())
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()
    width = max(DOCSTRING_WIDTH - indent - hanging, 40)
    lines: list[str] = []
    for paragraph in _paragraphs(text):
        wrapped = textwrap.wrap(paragraph, width, break_on_hyphens=False, break_long_words=False)
        lines.extend(wrapped or [""])
    lines[1:] = [" " * hanging + line if line else line for line in lines[1:]]
    pad = " " * indent
    return "\n".join((pad + line).rstrip() if i else line for i, line in enumerate(lines))


def _closable(text: str) -> str:
    """`text` safe right before the closing triple quote: a final run of quotes (escaped or
    not) is rewritten to end in a plain quote and a space, escaped so no three stand together.

    A plain final quote and a space is black's own fix (black and ruff disagree on a final
    escaped quote). Only for this position: elsewhere the space would be trailing whitespace.
    """
    end, quotes = len(text), 0
    while end and text[end - 1] == '"':
        before = text[: end - 1]
        slashes = len(before) - len(before.rstrip("\\"))
        end -= 2 if slashes % 2 else 1
        quotes += 1
    if not quotes:
        return text
    tail = "".join('"' if (quotes - 1 - index) % 2 == 0 else '\\"' for index in range(quotes))
    return f"{text[:end]}{tail} "


_KEEP_BREAK = re.compile(r"^(\s|[-*+] |\d+[.)] |#|\||```)")


def _paragraphs(text: str) -> list[str]:
    """Join soft-wrapped lines into paragraphs; "" marks a blank line between them."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in text.split("\n"):
        if not line.strip():
            if current:
                paragraphs.append(" ".join(current))
                current = []
            paragraphs.append("")
        elif current and not _KEEP_BREAK.match(line):
            current.append(line.strip())
        else:
            if current:
                paragraphs.append(" ".join(current))
            current = [line.rstrip()]
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def one_line(value: object) -> str:
    """For comments: a newline in spec text must not end the comment and start code, and no
    control character (which TOML comments refuse) may stay."""
    return printable(" ".join(str(value).split()))


def toml_string(value: object) -> str:
    """A TOML basic string holding `value` exactly (Jinja's `tojson` is not TOML: it writes
    an emoji as a surrogate pair of `\\u` escapes, which TOML refuses)."""
    out = ['"']
    for char in str(value):
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif char.isprintable():
            out.append(char)
        elif 0xD800 <= ord(char) <= 0xDFFF:  # no Unicode character: TOML cannot hold it
            out.append("\\uFFFD")
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(f"\\U{ord(char):08X}")
    out.append('"')
    return "".join(out)


def basename(value: object) -> str:
    return PurePath(str(value)).name


def sort_exports(names: list[str]) -> list[str]:
    """`__all__` order as ruff's RUF022 wants it (naming.export_order)."""
    return sorted(names, key=naming.export_order)


def sort_imports(items: list[Any], attribute: str | None = None) -> list[Any]:
    """The names one import takes, in the order ruff's isort wants (naming.member_order); with
    `attribute`, items in the order of their modules, that attribute (naming.import_order)."""
    if attribute is None:
        return sorted(items, key=naming.member_order)
    return sorted(items, key=lambda item: naming.import_order(getattr(item, attribute)))


def to_json(value: object) -> str:
    """Indented, for the fixture files people read."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def make_environment(
    templates_dir: Path = TEMPLATES_DIR, *, compiled_dir: Path | None = None
) -> jinja2.Environment:
    """The templates' environment; with `compiled_dir`, compiled templates are kept there
    (compiling them is a tenth of a second of every run; jinja checks each against its
    source)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        bytecode_cache=_bytecode_cache(compiled_dir),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # output is Python, escaped by the filters below
    )
    environment.filters["pystr"] = python_string
    environment.filters["pyliteral"] = python_literal
    environment.filters["docstring"] = docstring
    environment.filters["oneline"] = one_line
    environment.filters["tomlstr"] = toml_string
    environment.filters["basename"] = basename
    environment.filters["sort_exports"] = sort_exports
    environment.filters["sort_imports"] = sort_imports
    environment.filters["prefix_async"] = lambda name: [name, f"Async{name}"]
    return environment


def _bytecode_cache(folder: Path | None) -> jinja2.BytecodeCache | None:
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # an unwritable cache costs time, not the run
    return jinja2.FileSystemBytecodeCache(str(folder))


def plan_files(api: Api, config: GeneratorConfig) -> list[RenderJob]:
    """The table of outputs: which template renders which file, with what context."""
    package = config.package
    shared = {"api": api, "config": config, "package": package}
    runtime = {
        "package": package,
        "client_class": config.client_class,
        "async_client_class": config.async_client_class,
        "error_class": config.error_class,
        "client_version": config.client_version,
        "default_host": config.default_host,
        "env_prefix": config.env_prefix,
    }
    jobs = [
        RenderJob("package/__init__.py.jinja", f"{package}/__init__.py", shared),
        RenderJob("package/_client.py.jinja", f"{package}/_client.py", shared),
        RenderJob("package/py.typed.jinja", f"{package}/py.typed", shared),
        RenderJob(
            "package/models/__init__.py.jinja",
            f"{package}/models/__init__.py",
            shared,
            CLASS_INDEX,
        ),
        RenderJob(
            "package/resources/__init__.py.jinja", f"{package}/resources/__init__.py", shared
        ),
        RenderJob("distribution/pyproject.toml.jinja", "pyproject.toml", shared),
        RenderJob("distribution/README.md.jinja", "README.md", shared),
    ]
    jobs += [
        RenderJob(f"package/{module}.jinja", f"{package}/{module}", runtime, RUNTIME)
        for module in RUNTIME_MODULES
    ]
    jobs += [
        RenderJob(
            "model.py.jinja",
            f"{package}/models/{model.module}.py",
            {**shared, "model": model},
            model,
        )
        for model in api.models
    ]
    jobs += [
        RenderJob(
            "enum.py.jinja", f"{package}/models/{enum.module}.py", {**shared, "enum": enum}, enum
        )
        for enum in api.enums
    ]
    jobs += [
        RenderJob(
            "resource.py.jinja",
            f"{package}/resources/{resource.module}.py",
            {**shared, "resource": resource, "flavors": FLAVORS},
            resource,
        )
        for resource in api.resources
    ]
    return jobs


def render_files(
    api: Api,
    config: GeneratorConfig,
    fixtures: Mapping[str, Fixture],
    reused: Mapping[str, str] | None = None,
    compiled_dir: Path | None = None,
) -> dict[str, str]:
    """Render every planned file but the `reused` ones; JSON fixtures are dumped, not templated.
    Compiled templates are kept in `compiled_dir` if given (make_environment)."""
    reused = reused or {}
    jobs = [job for job in plan_files(api, config) if job.output not in reused]
    files = _render(make_environment(compiled_dir=compiled_dir), jobs)
    for operation_id, fixture in fixtures.items():
        if fixture_file(operation_id) not in reused:
            assert fixture.value is not None, "a fixture taken over has its file taken over too"
            files[fixture_file(operation_id)] = to_json(fixture.value)
    bundle = [fixtures[key].line for key in sorted(fixtures)]
    files[bundle_file(config)] = _BUNDLE_HEAD + _BUNDLE_SEPARATOR.join(bundle) + _BUNDLE_TAIL
    return files


# The fixtures bundle: one fixture a line (compact JSON holds no line break).
_BUNDLE_HEAD, _BUNDLE_SEPARATOR, _BUNDLE_TAIL = '{"fixtures": [\n', ",\n", "\n]}\n"


def bundle_file(config: GeneratorConfig) -> str:
    return f"{config.package}/_fixtures.json"


def unchanged_fixtures(reused: Mapping[str, str], previous: PreviousOutput) -> dict[str, str]:
    """operation_id -> its line in the last run's bundle, for the operations whose fixture
    file `reusable_files` kept (the operation is as it was, so is its fixture)."""
    bundle = previous.files.get(bundle_file(previous.config), "")
    if not bundle.startswith(_BUNDLE_HEAD) or not bundle.endswith(_BUNDLE_TAIL):
        return {}
    lines = bundle[len(_BUNDLE_HEAD) : -len(_BUNDLE_TAIL)].split(_BUNDLE_SEPARATOR)
    operation_ids = sorted(operation.operation_id for operation in previous.api.operations)
    if len(lines) != len(operation_ids):
        return {}
    return {
        operation_id: line
        for operation_id, line in zip(operation_ids, lines, strict=True)
        if fixture_file(operation_id) in reused
    }


def reusable_files(api: Api, config: GeneratorConfig, previous: PreviousOutput) -> dict[str, str]:
    """The previous run's files that this run would render alike (see RenderJob.subject), and
    the fixtures of the operations replayed from the last run's parse."""
    if previous.config != config or previous.api.spec_name != api.spec_name:
        return {}
    if previous.api.modules != api.modules:
        return {}
    before = {job.output: job.subject for job in plan_files(previous.api, previous.config)}
    reused = {
        job.output: previous.files[job.output]
        for job in plan_files(api, config)
        if job.subject is not None
        and job.output in previous.files
        and _same(before.get(job.output), job.subject)
    }
    # A fixture is kept only for the very operation the parse replayed: `==` would take an
    # example's `1` for `1.0` or `true`, and keys in another order for the same (the fixture
    # prints them in order).
    operations_before = {op.operation_id: op for op in previous.api.operations}
    for operation in api.operations:
        fixture = fixture_file(operation.operation_id)
        if fixture in previous.files and operations_before.get(operation.operation_id) is operation:
            reused[fixture] = previous.files[fixture]
    return reused


def _same(before: object, now: object) -> bool:
    return before is now or (before is not None and before == now)


def fixture_file(operation_id: str) -> str:
    return f"fixtures/{operation_id}.json"


def _render(environment: jinja2.Environment, jobs: list[RenderJob]) -> dict[str, str]:
    return {
        job.output: environment.get_template(job.template).render(**job.context) for job in jobs
    }
