"""The YAML loader every spec goes through: safe (plain data only) and strict about duplicate keys.

PyYAML keeps the last of two equal keys in a mapping without a word, so an edit that pastes a
second `get:` or `example:` into an operation silently replaces the first. Here that is an error
naming both lines.
"""

from __future__ import annotations

from typing import Any

import yaml

# The C loader is ~10x faster on large specs; fall back when libyaml is missing.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"


class DuplicateKeyError(yaml.constructor.ConstructorError):
    """A mapping names a key twice: `problem_mark` is the second, `context_mark` the first."""

    def __init__(self, key: str, first: yaml.Mark, second: yaml.Mark) -> None:
        super().__init__(
            None,
            first,
            f"duplicate key {key!r} (first at line {first.line + 1}, again at line"
            f" {second.line + 1})",
            second,
        )
        self.key = key


class StrictLoader(_SafeLoader):  # type: ignore[misc]
    """The safe loader, refusing a mapping that names a key twice (merge keys `<<` excepted)."""

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: dict[tuple[str, str], yaml.Mark] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                    continue
                identity = (key_node.tag, key_node.value)
                if identity in seen:
                    raise DuplicateKeyError(
                        str(key_node.value), seen[identity], key_node.start_mark
                    )
                seen[identity] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


def load_yaml(text: str) -> Any:
    """Parse YAML text with the strict safe loader (yaml.YAMLError on bad input)."""
    return yaml.load(text, Loader=StrictLoader)  # a safe loader: plain data only
