"""Defaults of the runtime, in one place so they are easy to find and to test against."""

from typing import Final

PACKAGE: Final = "posthog_api"
CLIENT_VERSION: Final = "0.1.0"
DEFAULT_HOST: Final[str | None] = "https://us.posthog.com"
"""The spec's first server URL; None when it names none (then host=... is required)."""
ENV_PREFIX: Final = "POSTHOG_"
"""Prefix of the environment variables the client reads: HOST, the credentials, ..."""

DEFAULT_TIMEOUT: Final = 60.0
"""Seconds for each phase (connect, write, pool, read). The read value is also the deadline of one
whole attempt, checked as each chunk of the body arrives: a server trickling a byte a second cannot
stretch a call beyond it (plus at most one read). No read timeout (None) means no deadline."""
DEFAULT_MAX_RETRIES: Final = 2
INITIAL_RETRY_DELAY: Final = 0.5
MAX_RETRY_DELAY: Final = 8.0
MAX_RETRY_AFTER: Final = 60.0
"""A server asking for a longer wait than this gets this many seconds; callers should not hang."""

RETRYABLE_STATUS_CODES: Final = frozenset({408, 429, 500, 502, 503, 504})
IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
"""Methods that may be repeated without risking a duplicated write."""

MAX_RESPONSE_SIZE: Final = 50 * 1024 * 1024
"""Bytes of a decoded response body; more raises ResponseTooLargeError (`max_response_size`)."""
MAX_DETAIL_LENGTH: Final = 500
"""Characters of a server's `detail`/`attr` shown in an exception message; `body` keeps all."""
