"""Client code as a user writes it; test_user_typing.py type-checks it with `mypy --strict`.

Each `# type: ignore[code]` marks a line that must be a type error: under --strict an ignore
that is not needed is itself an error, so these lines prove what the types refuse.
"""

from __future__ import annotations

import datetime
from uuid import UUID

import httpx
from posthog_api import (
    APIConnectionError,
    APIStatusError,
    AsyncPostHog,
    InvalidPathParameterError,
    PostHog,
    ResponseTooLargeError,
)
from posthog_api.models import AnnotationScopeEnum, AnnotationsListScope, UserBasic


def configured_copies(client: PostHog) -> PostHog:
    quick: PostHog = client.with_options(timeout=2.0, max_retries=0)
    strict: PostHog = quick.with_options(strict_response_validation=True)
    phased = client.with_options(timeout=httpx.Timeout(5.0, read=30.0))
    big = phased.with_options(max_response_size=200 * 1024 * 1024)
    big.with_options(timeout="2")  # type: ignore[arg-type]
    big.with_options(max_retries=None)  # type: ignore[arg-type]
    big.with_options(retries=1)  # type: ignore[call-arg]
    return strict


def failed_requests(client: PostHog) -> str:
    try:
        client.annotations.list()
    except APIStatusError as error:
        request: httpx.Request = error.request
        return f"{request.method} {request.url} -> {error.status_code}"
    except APIConnectionError as error:
        return str(error.request.url)
    except ResponseTooLargeError as error:
        return f"{error.request.url} over {error.limit + 0} bytes"
    except InvalidPathParameterError as error:
        value_error: ValueError = error
        return str(value_error)
    client.close()
    return ""


async def async_client_lifecycle() -> int | None:
    client = AsyncPostHog(api_key="phx_example", project_id=1)
    quick: AsyncPostHog = client.with_options(timeout=2.0)
    try:
        page = await quick.annotations.list()
        return page.count
    finally:
        await client.close()
        await client.aclose()
        client.close()  # type: ignore[unused-coroutine]


def ids_as_the_client_takes_them(client: PostHog) -> None:
    client.annotations.list(project_id=1)  # project ids are integers...
    client.annotations.list(project_id="@current")  # ... or an alias
    client.annotations.retrieve(project_id=2, id=7)
    client.roles.list(organization_id="@current")
    # The spec's example of an organization id is a UUID, not a number: no int.
    client.roles.list(organization_id=1)  # type: ignore[arg-type]
    client.annotations.retrieve(id="7")  # type: ignore[arg-type]


def enum_arguments_take_their_values(client: PostHog) -> None:
    client.annotations.list(scope="project")
    client.annotations.list(scope=AnnotationsListScope.DASHBOARD_ITEM)
    client.annotations.create(scope="organization", creation_type="USR")
    client.annotations.partial_update(id=1, scope=AnnotationScopeEnum.PROJECT)
    client.annotations.list(scope="projekt")  # type: ignore[arg-type]
    client.annotations.create(creation_type="usr")  # type: ignore[arg-type]


def fields_keep_their_wire_names(client: PostHog, user: UserBasic) -> UUID:
    created: datetime.datetime | None = client.annotations.retrieve(id=1).created_at
    renamed = user.uuid_  # type: ignore[attr-defined]
    return user.uuid if created or renamed else UUID(int=0)
