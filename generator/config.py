"""Generator settings: the names the generated package uses. Defaults fit PostHog."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def default_cache_dir() -> Path:
    """Where parsed spec pieces are kept between runs (`--no-cache` bypasses it)."""
    explicit = os.environ.get("POSTHOG_CODEGEN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "posthog-codegen"


@dataclass(frozen=True)
class GeneratorConfig:
    package: str = "posthog_api"
    distribution: str = "posthog-api"
    client_class: str = "PostHog"
    async_client_class: str = "AsyncPostHog"
    client_version: str = "0.1.0"
    default_host: str = "https://us.posthog.com"
    env_prefix: str = "POSTHOG_"
    # Path parameters the client fills in from its own settings when a call leaves them out.
    client_default_path_params: tuple[str, ...] = ("project_id", "organization_id")
    line_length: int = 100
