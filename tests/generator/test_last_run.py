"""A run after an edit reuses the last run's work (generator.last_run), and must produce what a
run from scratch produces: the same files, byte for byte, and the same warnings.

Each case generates a real spec with a cache, edits it, generates again with the cache and
once more without, and compares. Counting what was parsed and rendered shows that the edit
run really reused the rest (or, for an edit that changes more, that it did not).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import multiprocessing
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import cli, pipeline
from generator.cli import main
from generator.config import ConfigSettings
from generator.emit import render
from generator.emit.write import write_tree as real_write_tree
from generator.errors import SpecError
from generator.ir import parse
from generator.last_run import fingerprint, load_last_run, save_last_run
from generator.pipeline import Generated, generate
from generator.spec import load

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "corpus" / "real"
SPECS = {  # name: (file, --lenient)
    "posthog": (ROOT / "spec" / "posthog.yaml", False),
    "figma": (REAL / "figma" / "openapi.yaml", False),
    "dialogporten": (REAL / "dialogporten" / "swagger.verified.json", False),
    # --lenient: blockfrost fails the whole-document check, so its edits are checked whole;
    # shipengine's are checked alone, keeping (and moving) the last run's problems.
    "blockfrost": (REAL / "blockfrost" / "openapi.yaml", True),
    "shipengine": (REAL / "shipengine" / "spec.yaml", True),
}
Edit = Callable[[dict[str, Any]], None]


def _operations(data: dict[str, Any]) -> list[dict[str, Any]]:
    methods = ("get", "put", "post", "delete", "patch")
    return [item[m] for item in data["paths"].values() for m in methods if m in item]


def _retitle(data: dict[str, Any]) -> None:
    """A summary edited: a text-only change to one operation."""
    operation = _operations(data)[0]
    operation["summary"] = "Edited. " + str(operation.get("summary", ""))


def _add_enum_parameter(data: dict[str, Any]) -> None:
    """A query parameter with a new inline enum: the edited path item now claims a class name
    the path items after it could have claimed, so they cannot be replayed."""
    operation = _operations(data)[len(_operations(data)) // 2]
    parameter = {"name": "order", "in": "query", "schema": {"enum": ["first", "second"]}}
    operation.setdefault("parameters", []).append(parameter)


def _drop_responses_but_one(data: dict[str, Any]) -> None:
    """An operation's responses cut down to a bare 204."""
    operation = _operations(data)[-1]
    operation["responses"] = {"204": {"description": "done"}}


def _add_bad_example(data: dict[str, Any]) -> None:
    """A parameter whose example does not fit its schema: a new problem in the edited path
    item (an error; with --lenient a new repair, so the guess built meanwhile is redone)."""
    operation = _operations(data)[0]
    parameter = {
        "name": "edited_limit",
        "in": "query",
        "schema": {"type": "integer"},
        "example": "many",
    }
    operation.setdefault("parameters", []).append(parameter)


def _edit_info(data: dict[str, Any]) -> None:
    """Outside the path items: everything is done again."""
    data["info"]["description"] = "Edited outside the paths."


EDITS: dict[str, Edit] = {
    "retitle": _retitle,
    "add_enum_parameter": _add_enum_parameter,
    "drop_responses": _drop_responses_but_one,
    "add_bad_example": _add_bad_example,
    "edit_info": _edit_info,
}


class _Counts:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.path_items = 0
        self.rendered = 0
        self.checked_alone = 0  # edits whose path items were checked on their own
        self.spliced = 0  # loads that parsed only the edited path items (json_splice)
        parse_item = parse._Parser.path_item_operations
        render_jobs = render._render

        def counting_parse(parser: Any, path: str, raw_item: Any) -> Any:
            self.path_items += 1
            return parse_item(parser, path, raw_item)

        def counting_render(environment: Any, jobs: list[Any]) -> dict[str, str]:
            self.rendered += len(jobs)
            return render_jobs(environment, jobs)

        checkable = pipeline.checkable_part

        def counting_checkable(*args: Any) -> Any:
            part = checkable(*args)
            self.checked_alone += part is not None
            return part

        splice = load.spliced

        def counting_splice(*args: Any) -> Any:
            found = splice(*args)
            self.spliced += found is not None
            return found

        monkeypatch.setattr(pipeline, "checkable_part", counting_checkable)
        monkeypatch.setattr(load, "spliced", counting_splice)
        monkeypatch.setattr(parse._Parser, "path_item_operations", counting_parse)
        monkeypatch.setattr(render, "_render", counting_render)


def _write(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def _same(edited: Generated, scratch: Generated) -> None:
    assert edited.files.keys() == scratch.files.keys()
    different = [name for name in edited.files if edited.files[name] != scratch.files[name]]
    assert different == []
    assert edited.validation_warnings == scratch.validation_warnings
    assert edited.api.warnings == scratch.api.warnings
    assert edited.parser_warnings == scratch.parser_warnings  # positions included


@pytest.mark.parametrize("edit", list(EDITS))
@pytest.mark.parametrize("name", list(SPECS))
def test_a_run_after_an_edit_equals_a_run_from_scratch(
    name: str, edit: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, lenient = SPECS[name]
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    spec, cache = tmp_path / "spec.json", tmp_path / "cache"
    _write(spec, data)
    cold = generate(spec, cache_dir=cache, lenient=lenient)
    edited_data = copy.deepcopy(data)
    EDITS[edit](edited_data)
    _write(spec, edited_data)

    counts = _Counts(monkeypatch)
    edited = _generated(spec, cache, lenient)
    parsed, rendered, checked_alone = counts.path_items, counts.rendered, counts.checked_alone
    spliced = counts.spliced
    counts.path_items = counts.rendered = 0
    scratch = _generated(spec, None, lenient)

    if isinstance(scratch, str):  # the edit made the spec invalid: the same error
        assert edited == scratch
        assert edit == "add_bad_example" and not lenient
        return
    assert isinstance(edited, Generated)
    _same(edited, scratch)
    assert edited.files != cold.files  # the edit shows
    if lenient and edit != "edit_info":
        assert (checked_alone > 0) == (name == "shipengine")
    if lenient and edit == "add_bad_example":
        assert any("'many' is not of type" in w.message for w in edited.validation_warnings)
    if edit == "retitle":  # one path item parsed again, a few files rendered
        assert spliced == 1  # and only that one parsed as JSON
        assert parsed == 1
        assert rendered < counts.rendered / 4
    elif edit == "edit_info":  # nothing reused
        assert parsed == counts.path_items


def _generated(spec: Path, cache: Path | None, lenient: bool) -> Generated | str:
    """What generate makes, or its error's lines."""
    try:
        return generate(spec, cache_dir=cache, lenient=lenient)
    except SpecError as error:
        return "\n".join(error.lines())


def test_a_run_after_no_change_reuses_everything(tmp_path: Path) -> None:
    spec, cache = tmp_path / "spec.yaml", tmp_path / "cache"
    spec.write_bytes((ROOT / "spec" / "posthog.yaml").read_bytes())
    first = generate(spec, cache_dir=cache)
    again = generate(spec, cache_dir=cache)
    assert again.files == first.files


def test_a_changed_config_reuses_nothing(tmp_path: Path) -> None:
    source = REAL / "figma" / "openapi.yaml"
    spec, cache = tmp_path / "openapi.yaml", tmp_path / "cache"
    spec.write_bytes(source.read_bytes())
    generate(spec, cache_dir=cache)
    renamed = generate(spec, ConfigSettings(package="other_name"), cache_dir=cache)
    scratch = generate(spec, ConfigSettings(package="other_name"), cache_dir=None)
    _same(renamed, scratch)


def _thing_spec(flag: list[Any], example: dict[str, Any]) -> dict[str, Any]:
    """One operation whose body has a literal-typed field and an example."""
    body = {
        "schema": {"type": "object", "properties": {"flag": {"enum": flag}, "n": {}}},
        "example": example,
    }
    operation = {
        "operationId": "make_thing",
        "requestBody": {"content": {"application/json": body}},
        "responses": {"204": {"description": "done"}},
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Things", "version": "1"},
        "paths": {"/things": {"post": operation}},
    }


# Edits Python's `==` cannot see: True == 1 == 1.0, and dicts equal in any key order.
VALUE_EDITS = {
    "true_to_1_in_an_enum": (([True, "a"], {"flag": "a"}), ([1, "a"], {"flag": "a"})),
    "1_to_1.0_in_an_example": (([1, "a"], {"n": 1}), ([1, "a"], {"n": 1.0})),
    "1_to_true_in_an_example": (([1, "a"], {"n": 1}), ([1, "a"], {"n": True})),
    "keys_reordered_in_an_example": (
        ([1, "a"], {"n": 1, "flag": "a"}),
        ([1, "a"], {"flag": "a", "n": 1}),
    ),
}


@pytest.mark.parametrize("edit", list(VALUE_EDITS))
def test_an_edit_of_a_values_json_type_or_key_order_shows(edit: str, tmp_path: Path) -> None:
    """Nothing is taken over because it is `==` to what it was: the edited output is the
    output from scratch, with the literal's or the fixture's new spelling."""
    before, after = VALUE_EDITS[edit]
    spec, cache = tmp_path / "spec.json", tmp_path / "cache"
    _write(spec, _thing_spec(*before))
    cold = generate(spec, cache_dir=cache)
    _write(spec, _thing_spec(*after))
    edited = generate(spec, cache_dir=cache)
    assert load_last_run(cache, spec, fingerprint("ruff", False)) is not None
    _same(edited, generate(spec, cache_dir=None))
    assert edited.files != cold.files


def test_an_edit_that_adds_a_lone_surrogate_is_refused(tmp_path: Path) -> None:
    """The edited path items' strings are checked, though the last run's text had no escape."""
    spec, cache = tmp_path / "spec.json", tmp_path / "cache"
    document = yaml.safe_load((REAL / "figma" / "openapi.yaml").read_text(encoding="utf-8"))
    _write(spec, document)
    generate(spec, cache_dir=cache)
    text = spec.read_text(encoding="utf-8")
    assert "\\u" not in text
    at = text.index('"summary": "') + len('"summary": "')
    spec.write_text(text[:at] + "\\ud800" + text[at:], encoding="utf-8")
    with pytest.raises(SpecError, match="/summary: a string with a lone surrogate"):
        generate(spec, cache_dir=cache)


def test_an_unreadable_or_foreign_record_is_a_cache_miss(tmp_path: Path) -> None:
    spec, cache = tmp_path / "spec.yaml", tmp_path / "cache"
    spec.write_bytes((REAL / "shipengine" / "spec.yaml").read_bytes())
    expected = generate(spec, cache_dir=None, lenient=True)
    generate(spec, cache_dir=cache, lenient=True)
    records = list((cache / "last-run").iterdir())
    assert len(records) == 1
    records[0].write_bytes(b"not a pickle")
    assert load_last_run(cache, spec, "anything") is None
    _same(generate(spec, cache_dir=cache, lenient=True), expected)
    # A record whose parse and output (unpickled only when used) were damaged is not used.
    generate(spec, cache_dir=cache, lenient=True)
    data = records[0].read_bytes()
    inner = pickle.loads(data).work._pickled
    middle = data.index(inner) + len(inner) // 2
    records[0].write_bytes(data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :])
    assert load_last_run(cache, spec, fingerprint("ruff", True)) is None
    # A record made by another generator (another fingerprint) is not used.
    assert load_last_run(cache, spec, "another generator") is None
    save_last_run(cache, spec, None)
    assert not records[0].exists()


# name, edit: a strict spec and one with --lenient, an edit without and one with a new problem
EARLY_CASES = [
    ("figma", "retitle"),
    ("figma", "add_bad_example"),
    ("shipengine", "retitle"),
    ("shipengine", "add_bad_example"),
]


@pytest.mark.parametrize(("name", "edit"), EARLY_CASES)
def test_the_early_check_of_a_large_spec_makes_the_same_run(
    name: str, edit: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """For a spec file over a megabyte a child checks the edited path items before the spec
    is loaded (pipeline._check_edit_early); here for any size. Its answer is used, and the
    run is the run from scratch."""
    monkeypatch.setattr(pipeline, "_LARGE_SPEC_BYTES", 0)
    answers = _recorded_early_answers(monkeypatch)
    source, lenient = SPECS[name]
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    spec, cache = tmp_path / "spec.json", tmp_path / "cache"
    _write(spec, data)
    generate(spec, cache_dir=cache, lenient=lenient)
    EDITS[edit](data)
    _write(spec, data)
    edited = _generated(spec, cache, lenient)
    scratch = _generated(spec, None, lenient)
    if isinstance(scratch, str):  # the same error
        assert edited == scratch
    else:
        assert isinstance(edited, Generated)
        _same(edited, scratch)
    assert len(answers) == 1 and answers[0] is not None and answers[0].fresh is not None


def test_an_early_answer_about_other_bytes_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child read the spec itself: if it read other bytes (the file changed in between),
    this process checks the edited path items."""
    monkeypatch.setattr(pipeline, "_LARGE_SPEC_BYTES", 0)
    real_check = pipeline._check_edit

    def other_bytes(*args: Any) -> Any:
        check = real_check(*args)
        return check and dataclasses.replace(check, sha256="other", fresh=None)

    monkeypatch.setattr(pipeline, "_check_edit", other_bytes)
    answers = _recorded_early_answers(monkeypatch)
    source, lenient = SPECS["shipengine"]
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    spec, cache = tmp_path / "spec.json", tmp_path / "cache"
    _write(spec, data)
    generate(spec, cache_dir=cache, lenient=lenient)
    _add_bad_example(data)
    _write(spec, data)
    edited = generate(spec, cache_dir=cache, lenient=lenient)
    _same(edited, generate(spec, cache_dir=None, lenient=lenient))
    assert [answer.sha256 for answer in answers if answer] == ["other"]
    assert any("'many' is not of type" in w.message for w in edited.validation_warnings)


def _recorded_early_answers(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    answers: list[Any] = []
    real_start = pipeline._check_edit_early

    def recording(*args: Any) -> Any:
        early = real_start(*args)
        if early is None:
            return None

        def wait() -> Any:
            answers.append(early())
            return answers[-1]

        return functools.cache(wait)  # as the real one: asked for where needed, then joined

    monkeypatch.setattr(pipeline, "_check_edit_early", recording)
    return answers


def test_a_record_saved_later_is_there_once_saved(tmp_path: Path) -> None:
    """The CLI saves the record while a child writes the output (Generated.save)."""
    spec, cache = tmp_path / "openapi.yaml", tmp_path / "cache"
    spec.write_bytes((REAL / "figma" / "openapi.yaml").read_bytes())
    first = generate(spec, cache_dir=cache, save_later=True)
    assert load_last_run(cache, spec, fingerprint("ruff", False)) is None
    first.save()
    first.save()  # once is enough: the CLI calls it again on its way out
    record = load_last_run(cache, spec, fingerprint("ruff", False))
    assert record is not None
    assert record.output.files == first.files


@pytest.mark.parametrize("fails", [False, True])
def test_the_cli_writes_a_large_output_in_a_child_while_it_saves_the_record(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fails: bool,
) -> None:
    """What the child wrote is the output, the record is saved, no child is left; a write
    that fails in the child fails the run with its one line, and the record is saved."""
    monkeypatch.setattr(pipeline, "_LARGE_SPEC_BYTES", 0)
    monkeypatch.setenv("POSTHOG_CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    spec, out = tmp_path / "openapi.yaml", tmp_path / "out"
    spec.write_bytes((REAL / "figma" / "openapi.yaml").read_bytes())
    if fails:
        out.mkdir()
        (out / "mine.txt").write_text("not the generator's", encoding="utf-8")
    writers = tmp_path / "writers"

    def write_tree(out_dir: Path, files: dict[str, str]) -> None:
        with writers.open("a") as stream:  # which process wrote
            stream.write(f"{os.getpid()}\n")
        real_write_tree(out_dir, files)

    monkeypatch.setattr(cli, "write_tree", write_tree)
    code = main(["generate", "--spec", str(spec), "--out", str(out)])
    assert multiprocessing.active_children() == []
    record = load_last_run(tmp_path / "cache", spec, fingerprint("ruff", False))
    assert record is not None
    if fails:
        assert code == 2
        assert "was not made by posthog-codegen" in capsys.readouterr().err
        assert [path.name for path in out.iterdir()] == ["mine.txt"]
        assert writers.read_text().split()[-1] == str(os.getpid())  # tried again here
        return
    assert code == 0
    assert writers.read_text().split() != [str(os.getpid())]  # a child wrote
    written = {
        path.relative_to(out).as_posix(): path.read_text(encoding="utf-8")
        for path in out.rglob("*")
        if path.is_file()
    }
    assert written == record.output.files


def test_an_early_check_that_goes_unused_leaves_no_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With another config the run is not an edit run: the early child's answer is not used,
    and the child is joined all the same."""
    monkeypatch.setattr(pipeline, "_LARGE_SPEC_BYTES", 0)
    answers = _recorded_early_answers(monkeypatch)
    spec, cache = tmp_path / "spec.json", tmp_path / "cache"
    _write(spec, yaml.safe_load((REAL / "figma" / "openapi.yaml").read_text(encoding="utf-8")))
    generate(spec, cache_dir=cache)
    renamed = generate(spec, ConfigSettings(package="other_name"), cache_dir=cache)
    _same(renamed, generate(spec, ConfigSettings(package="other_name"), cache_dir=None))
    assert len(answers) == 1  # asked for once, to join the child
    assert multiprocessing.active_children() == []


def test_blacks_layouts_of_signatures_are_taken_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Figma's webhooks module holds signatures black lays out (emit.format): after an edit of
    that module, as after one elsewhere, the last run's layouts are used, black is not."""
    import black

    spec, cache = tmp_path / "openapi.yaml", tmp_path / "cache"
    data = yaml.safe_load((REAL / "figma" / "openapi.yaml").read_text(encoding="utf-8"))
    _write_yaml(spec, data)
    generate(spec, cache_dir=cache)
    first = load_last_run(cache, spec, fingerprint("ruff", False))
    assert first is not None
    layouts = first.output.layouts
    (module,) = layouts
    assert module.endswith("/webhooks.py") and layouts[module]
    monkeypatch.setattr(black, "format_str", lambda *args, **kwargs: pytest.fail("black ran"))
    webhook = next(path for path in data["paths"] if "webhooks" in path)
    for path in (webhook, next(iter(data["paths"]))):  # that module, then another one
        for operation in data["paths"][path].values():
            if isinstance(operation, dict) and "summary" in operation:
                operation["summary"] = "Edited. " + operation["summary"]
        _write_yaml(spec, data)
        edited = generate(spec, cache_dir=cache)
        record = load_last_run(cache, spec, fingerprint("ruff", False))
        assert record is not None and record.output.layouts == layouts
        monkeypatch.undo()
        _same(edited, generate(spec, cache_dir=None))
        monkeypatch.setattr(black, "format_str", lambda *args, **kwargs: pytest.fail("black"))


def _write_yaml(path: Path, data: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_a_record_is_kept_while_it_still_serves_the_edits_since(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit run saves no record while the path items edited since the last saved one are
    few (last_run.still_serves): each later run parses all of those again, and still makes
    what a run from scratch makes, an edit undone included. Past the share, it saves anew."""
    spec, cache = tmp_path / "spec.json", tmp_path / "cache"
    data = yaml.safe_load((REAL / "figma" / "openapi.yaml").read_text(encoding="utf-8"))
    assert len(data["paths"]) == 47  # 16 x 2 edited path items <= 47 < 16 x 3
    original = copy.deepcopy(data)
    _write(spec, data)
    generate(spec, cache_dir=cache)
    (record,) = (cache / "last-run").iterdir()
    saved = record.read_bytes()
    items = list(data["paths"].values())

    def retitle(item: dict[str, Any]) -> None:
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["summary"] = "Edited. " + str(operation.get("summary", ""))

    def run_and_count() -> int:
        _write(spec, data)
        counts = _Counts(monkeypatch)
        edited = generate(spec, cache_dir=cache)
        parsed = counts.path_items
        monkeypatch.undo()
        _same(edited, generate(spec, cache_dir=None))
        return parsed

    retitle(items[0])
    assert run_and_count() == 1
    assert record.read_bytes() == saved  # kept
    retitle(items[1])
    assert run_and_count() == 2  # both path items edited since the record
    assert record.read_bytes() == saved
    data["paths"][next(iter(data["paths"]))] = copy.deepcopy(next(iter(original["paths"].values())))
    items = list(data["paths"].values())
    assert run_and_count() == 1  # the first edit undone: as in the record again
    assert record.read_bytes() == saved
    retitle(items[0])
    retitle(items[2])
    assert run_and_count() == 3
    assert record.read_bytes() != saved  # saved anew: this run's record
    assert run_and_count() == 0
