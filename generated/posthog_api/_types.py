"""Small shared types: the UNSET sentinel and per-call request options."""

from collections.abc import Mapping
from typing import IO, Final, Literal, TypeAlias, TypedDict

import httpx

Timeout: TypeAlias = float | httpx.Timeout | None
"""Seconds for every phase, an httpx.Timeout for each phase, or None for no timeout at all.

The read value also bounds each whole attempt, body included (see _constants.DEFAULT_TIMEOUT)."""

FileContent: TypeAlias = (
    bytes
    | IO[bytes]
    | tuple[str | None, bytes | IO[bytes]]
    | tuple[str | None, bytes | IO[bytes], str]
)
"""An upload: bytes or a binary file, optionally as (filename, content[, content type])."""

ResponseFormat: TypeAlias = Literal["json", "text", "bytes"]
"""How a response body is read: decoded JSON, text, or the raw bytes."""


class Unset:
    """Marks an argument the caller left out, where None would mean JSON null."""

    __slots__ = ()

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "UNSET"

    def __reduce__(self) -> str:
        # copy and pickle hand back the module-level UNSET, so `is UNSET` keeps working.
        return "UNSET"


UNSET: Final[Unset] = Unset()


class RequestOptions(TypedDict, total=False):
    """Per-call overrides of the client's settings; every key is optional."""

    timeout: Timeout
    """Overrides the client timeout; None here disables the timeout for this call."""
    max_retries: int
    max_response_size: int
    """Bytes of (decoded) body this call accepts; more raises ResponseTooLargeError."""
    extra_headers: Mapping[str, str]
    extra_query: Mapping[str, object]
    """Merged over the method's own query parameters; a key present in both takes this value."""
    strict_response_validation: bool
    """Raise ResponseValidationError on any disagreement with the spec, instead of keeping the
    value as sent and recording it (APIResponse.drift, Model.spec_drift)."""
    retry_non_idempotent: bool
    """Also retry POST and PATCH; only safe when the server de-duplicates the write."""
