"""Constants and small functions shared by the runtime tests."""

from typing import Any

API_KEY = "phx_TestSecretKey0123456789abcdefSECRET"
PROJECT_PATH = "/api/projects/1/things/"


def identity(raw: Any, **_: Any) -> Any:
    """A `parse` function that keeps the decoded JSON as it is."""
    return raw
