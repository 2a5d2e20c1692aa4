"""The constructs real specs use, decoded from real-looking bodies with strict validation.

Each feature spec under tests/features/ (nullable_refs_30, nullable_refs_31, all_of_refs,
all_of_one_of, success_responses) is generated into its own package; the client answers from a
mock transport with strict response validation, so a null the type does not allow, a missing
field or a wrong variant raises instead of being recorded as drift.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.generator.real_packages import Package, build, check, problems, respond_json

FEATURES = Path(__file__).resolve().parents[1] / "features"
NAMES = [
    "nullable_refs_30",
    "nullable_refs_31",
    "all_of_refs",
    "all_of_one_of",
    "success_responses",
]


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Package]:
    root = tmp_path_factory.mktemp("constructs")
    return {name: build(FEATURES / name / "spec.yaml", f"construct_{name}", root) for name in NAMES}


@pytest.fixture(scope="module")
def reports(
    packages: dict[str, Package], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    return check(list(packages.values()), tmp_path_factory.mktemp("mypy-cache"))


@pytest.mark.parametrize("name", NAMES)
def test_package_is_mypy_strict_and_ruff_clean(
    packages: dict[str, Package], reports: dict[str, str], name: str
) -> None:
    assert "Success: no issues found" in reports["mypy"], reports["mypy"][-2000:]
    assert problems(reports["mypy"], packages[name]) == []
    assert problems(reports["ruff"], packages[name]) == []


# -- 1. a $ref to a nullable component is nullable wherever it is used ---------------------


USER = {"login": "octocat", "id": 1}


def test_github_issue_with_null_assignee_decodes(packages: dict[str, Package]) -> None:
    package = packages["nullable_refs_30"]
    body = {
        "id": 1,
        "number": 1347,
        "title": "Found a bug",
        "user": USER,
        "assignee": None,
        "assignees": None,
        "milestone": None,
        "closed_by": None,
        "labels": ["bug"],
        "license": None,
    }
    client = package.client(respond_json(200, body))
    issue = client.issues.get(owner="octocat", repo="hello-world", issue_number=1347)
    assert issue.assignee is None and issue.milestone is None and issue.closed_by is None
    assert issue.assignees is None and issue.license is None
    assert issue.user.login == "octocat"
    models = package.module("models")
    assert isinstance(issue.user, models.NullableSimpleUser)

    body = {**body, "assignee": USER, "milestone": {"number": 2, "title": "v1", "state": "open"}}
    issue = package.client(respond_json(200, body)).issues.get(owner="o", repo="r", issue_number=1)
    assert issue.assignee.id == 1 and issue.milestone.title == "v1"


def test_github_pull_with_null_auto_merge_decodes(packages: dict[str, Package]) -> None:
    package = packages["nullable_refs_30"]
    errors = package.module("_exceptions")
    body: dict[str, Any] = {
        "id": 1,
        "number": 1,
        "user": USER,
        "assignee": None,
        "requested_reviewers": [None, USER],
        "auto_merge": None,
        "merged_by": None,
    }
    pull = package.client(respond_json(200, body)).pulls.get(owner="o", repo="r", pull_number=1)
    assert pull.auto_merge is None and pull.merged_by is None
    assert pull.requested_reviewers[0] is None and pull.requested_reviewers[1].login == "octocat"

    merge = {"enabled_by": USER, "merge_method": "squash", "commit_title": "t"}
    pull = package.client(respond_json(200, {**body, "auto_merge": merge})).pulls.get(
        owner="o", repo="r", pull_number=1
    )
    assert pull.auto_merge.merge_method == "squash"

    # `user` refers to the non-nullable simple-user: strict decoding refuses a null there.
    with pytest.raises(errors.ResponseValidationError) as caught:
        package.client(respond_json(200, {**body, "user": None})).pulls.get(
            owner="o", repo="r", pull_number=1
        )
    assert caught.value.path == "$.user"


def test_openapi_31_nullable_components(packages: dict[str, Package]) -> None:
    package = packages["nullable_refs_31"]
    body = {
        "id": 7,
        "owner": None,
        "label": None,
        "priority": None,
        "color": None,
        "reviewer": None,
        "watchers": [None, {"name": "ann"}],
    }
    task = package.client(respond_json(200, body)).tasks.retrieve(id=7)
    assert (task.owner, task.label, task.priority, task.color, task.reviewer) == (None,) * 5
    assert task.watchers[0] is None and task.watchers[1].name == "ann"

    full = {**body, "owner": {"name": "bo"}, "label": {"text": "x"}, "priority": "high"}
    task = package.client(respond_json(200, {**full, "color": "red"})).tasks.retrieve(id=7)
    models = package.module("models")
    assert task.priority is models.PriorityLevel.HIGH and task.color is models.Color.RED
    assert task.owner.name == "bo" and task.label.text == "x"

    # A method returning a nullable component returns None for a JSON null body.
    assert package.client(respond_json(200, None)).tasks.owner(id=7) is None
    owner = package.client(respond_json(200, {"name": "cy"})).tasks.owner(id=7)
    assert owner.name == "cy"


# -- 2. allOf: an annotated reference is the referenced type; scalars stay scalars ---------


def test_all_of_ref_with_siblings_is_the_referenced_class(packages: dict[str, Package]) -> None:
    package = packages["all_of_refs"]
    assert {m.name for m in package.api.models} == {"Article", "PatchedArticle", "UserBasic"}
    assert {e.name for e in package.api.enums} == {"StatusEnum", "VisibilityEnum"}
    models = package.module("models")
    body = {
        "id": 3,
        "status": "published",
        "author": {"id": 1, "email": "a@example.com"},
        "reviewer": None,
        "editor": {"id": 2, "email": "e@example.com"},
        "visibility": 1,
        "score": 2,
        "title": "Hello",
        "slug": "hello",
        "published_on": "2024-05-01",
    }
    article = package.client(respond_json(200, body)).articles.retrieve(id=3)
    assert article.status is models.StatusEnum.PUBLISHED
    assert isinstance(article.author, models.UserBasic) and article.reviewer is None
    assert isinstance(article.editor, models.UserBasic)
    assert article.visibility is models.VisibilityEnum(1)
    assert article.score == 2.0 and article.title == "Hello"
    assert article.published_on == datetime.date(2024, 5, 1)

    article = package.client(
        respond_json(200, {**body, "published_on": None, "reviewer": body["author"]})
    ).articles.retrieve(id=3)
    assert article.published_on is None and article.reviewer.id == 1

    model = next(m for m in package.api.models if m.name == "Article")
    field_types = {f.py_name: f.type.annotation for f in model.fields}
    assert field_types["legacy_code"] == "Any"
    assert package.warnings == [
        "#/components/schemas/Article/properties/legacy_code/allOf:"
        " allOf of parts with different types is typed as Any"
    ]


def test_all_of_ref_request_fields_use_the_same_enum(packages: dict[str, Package]) -> None:
    package = packages["all_of_refs"]
    models = package.module("models")
    sent: list[httpx.Request] = []

    def respond(request: httpx.Request) -> httpx.Response:
        request.read()
        sent.append(request)
        return httpx.Response(
            200,
            json={
                "id": 3,
                "status": "draft",
                "author": {"id": 1, "email": "a@example.com"},
                "reviewer": None,
                "title": "T",
            },
        )

    article = package.client(respond).articles.partial_update(
        id=3, status=models.StatusEnum.DRAFT, visibility=models.VisibilityEnum(2), title="T"
    )
    assert json.loads(sent[0].content) == {"status": "draft", "visibility": 2, "title": "T"}
    assert article.status is models.StatusEnum.DRAFT


def test_all_of_with_one_of_keeps_the_variants(packages: dict[str, Package]) -> None:
    package = packages["all_of_one_of"]
    models = package.module("models")
    errors = package.module("_exceptions")
    push = {"id": "e1", "type": "push", "created_at": "2024-01-02T03:04:05Z", "ref": "main"}
    event = package.client(respond_json(200, {**push, "size": 2})).events.retrieve(id="e1")
    assert isinstance(event, models.EventPushEvent)
    assert (event.id, event.ref, event.size) == ("e1", "main", 2)
    assert event.created_at == datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)

    issue = {"id": "e2", "type": "issue", "action": "opened", "issue_number": None}
    event = package.client(respond_json(200, issue)).events.retrieve(id="e2")
    assert isinstance(event, models.EventIssueEvent) and event.issue_number is None

    with pytest.raises(errors.ResponseValidationError) as caught:  # picked by `type`
        package.client(respond_json(200, {**issue, "type": "push"})).events.retrieve(id="e2")
    assert caught.value.path == "$.ref"

    # Properties beside a oneOf belong to every variant; no discriminator: tried in order.
    square = package.client(respond_json(200, {"name": "sq", "side": 2})).shapes.retrieve(id="s")
    assert isinstance(square, models.ShapeSquare) and (square.name, square.side) == ("sq", 2.0)
    circle = package.client(respond_json(200, {"name": "c", "radius": 1.5})).shapes.retrieve(id="c")
    assert isinstance(circle, models.ShapeCircle) and circle.radius == 1.5


def test_all_of_with_an_unmergeable_variant_warns(packages: dict[str, Package]) -> None:
    package = packages["all_of_one_of"]
    assert package.warnings == [
        "#/components/schemas/Note/allOf/1/oneOf/0: a oneOf variant that is not an object"
        " cannot merge with the object parts beside it: left out"
    ]
    models = package.module("models")
    note = package.client(
        respond_json(200, {"id": "n1", "type": "note", "text": "hi"})
    ).notes.retrieve(id="n1")
    assert isinstance(note, models.NoteVariant2) and note.text == "hi"


# -- 3. every 2xx is typed --------------------------------------------------------------------


def test_two_bodies_make_a_union_tried_in_order(packages: dict[str, Package]) -> None:
    package = packages["success_responses"]
    models = package.module("models")
    found = package.client(respond_json(200, {"id": 1, "name": "n"})).items.create(name="n")
    assert isinstance(found, models.Item) and found.name == "n"
    created = package.client(respond_json(201, {"id": 2, "url": "/items/2"})).items.create(name="n")
    assert isinstance(created, models.ItemCreated) and created.url == "/items/2"


def test_a_union_tries_the_variants_that_must_match_first(packages: dict[str, Package]) -> None:
    """200 is any object, 202 a Job: a Job body must not be swallowed by the mapping."""
    package = packages["success_responses"]
    models = package.module("models")
    job = package.client(respond_json(202, {"job_id": 3, "state": "running"})).jobs.retrieve(id=3)
    assert isinstance(job, models.Job) and job.state == "running"
    output = package.client(respond_json(200, {"rows": 12})).jobs.retrieve(id=3)
    assert output == {"rows": 12}


def test_a_bodiless_2xx_beside_a_body_makes_the_result_optional(
    packages: dict[str, Package],
) -> None:
    package = packages["success_responses"]
    models = package.module("models")
    assert package.client(respond_json(201, {})).secrets.put(name="TOKEN") == {}
    assert package.client(respond_json(204, None)).secrets.put(name="TOKEN") is None
    assert package.client(respond_json(200, None)).exports.start() is None
    job = package.client(respond_json(202, {"job_id": 9, "state": None})).exports.start()
    assert isinstance(job, models.Job) and job.job_id == 9 and job.state is None
    assert package.client(respond_json(204, None)).reports.destroy(id=1) is None


def test_json_without_a_schema_is_returned_decoded(packages: dict[str, Package]) -> None:
    package = packages["success_responses"]
    value = [1, "a", None, {"b": [True]}]
    assert package.client(respond_json(200, value)).raw.retrieve() == value


def test_a_success_body_the_method_cannot_read_is_named(packages: dict[str, Package]) -> None:
    package = packages["success_responses"]
    assert package.warnings == [
        "#/paths/~1reports~1{id}/get/responses/202/content: 'text/plain' is not typed:"
        " the method reads a 200 json body"
    ]
    signatures = {
        op.operation_id: op.return_type.annotation if op.return_type else "None"
        for op in package.api.operations
    }
    assert signatures == {
        "items_create": "Item | ItemCreated",
        "secrets_put": "dict[str, Any] | None",
        "exports_start": "Job | None",
        "jobs_retrieve": "Job | dict[str, Any]",
        "raw_retrieve": "Any",
        "reports_retrieve": "Job",
        "reports_destroy": "None",
    }
