"""Client code as a user writes it; test_user_typing.py type-checks it with `mypy --strict`.

Each `# type: ignore[code]` marks a line that must be a type error: under --strict an ignore
that is not needed is itself an error, so these lines prove what the types refuse.
"""

from __future__ import annotations

import httpx
from posthog_api import (
    APIConnectionError,
    APIStatusError,
    AsyncPostHog,
    InvalidPathParameterError,
    PostHog,
    ResponseTooLargeError,
)


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
