"""YAML front matter between ``---`` lines, with every scalar kept as written.

PyYAML's safe loader turns ``title: 007`` into 7 and ``no`` into False; a
story's title must stay "007". This loader resolves no implicit types, so
every scalar is a string; lists and mappings keep their shape. Aliases are
refused before anything is built (a billion-laughs document is a few lines
long, but composes into shared nodes in linear time).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.composer import ComposerError
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from packager.errors import StoryError, error, parsing

MAX_FRONT_MATTER = 64 * 1024  # bytes; real front matter is a few hundred
_FENCE = "---"


# libyaml's parser when PyYAML was built with it (10x faster), else PyYAML's own.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StringLoader(_Base):  # type: ignore[valid-type,misc]
    """A safe loader that resolves no implicit types: every scalar is a string."""

    yaml_implicit_resolvers: dict[str, list[tuple[str, object]]] = {}  # noqa: RUF012


def _refuse_aliases(node: Node) -> None:
    """Aliases compose into shared nodes: meeting a node twice means one was used."""
    seen: set[int] = set()
    stack = [(node, node.start_mark)]
    while stack:
        current, where = stack.pop()  # where: the key (or list) the node was found under
        if id(current) in seen:
            raise ComposerError(
                None, None, "aliases (*name) are not allowed in front matter", where
            )
        seen.add(id(current))
        children: list[tuple[Node, Mark]] = []
        if isinstance(current, MappingNode):
            for key, value in current.value:
                children += [(key, key.start_mark), (value, key.start_mark)]
        elif isinstance(current, SequenceNode):
            children += [(item, current.start_mark) for item in current.value]
        stack.extend(reversed(children))  # visit in document order: report the later use


def _refuse_duplicates(node: MappingNode, file: str) -> None:
    """A key given twice: YAML keeps the last silently; an editor should choose."""
    seen: dict[str, int] = {}
    for key, _ in node.value:
        name, line = str(key.value), key.start_mark.line + 2
        if name in seen:
            raise StoryError(
                [error(f"front matter: '{name}' is given twice (lines {seen[name]} and {line})",
                       file, line)]
            )  # fmt: skip
        seen[name] = line


def _nulls_as_empty(node: MappingNode) -> None:
    """A value written as YAML's null (``~`` or nothing) is empty text, as ``""`` is.

    The word ``null`` stays a word: like ``no`` and ``007``, it may be a title.
    A plain scalar's style is None in PyYAML and '' in libyaml's loader.
    """
    for _, value in node.value:
        if isinstance(value, ScalarNode) and not value.style and value.value == "~":
            value.value = ""


@dataclass(frozen=True)
class FrontMatter:
    """The fields of a front matter block and the story text after it."""

    fields: dict[str, object] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # key -> line in the file
    body: str = ""
    body_line: int = 1  # line of the file on which body starts


def split_front_matter(text: str, file: str) -> FrontMatter:
    """Split ``---`` front matter from the text; raise StoryError naming file:line."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != _FENCE:
        return FrontMatter(body=text)
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in (_FENCE, "...")), None)
    if end is None:
        raise StoryError(
            [error("front matter starts with '---' but has no closing '---'", file, 1)]
        )
    yaml_text = "\n".join(lines[1:end])
    if len(yaml_text.encode("utf-8")) > MAX_FRONT_MATTER:
        raise StoryError(
            [error(f"front matter is larger than {MAX_FRONT_MATTER // 1024} KiB", file, 1)]
        )
    fields, key_lines = _load(yaml_text, file)
    return FrontMatter(fields, key_lines, "\n".join(lines[end + 1 :]), end + 2)


def _load(yaml_text: str, file: str) -> tuple[dict[str, object], dict[str, int]]:
    with parsing("front matter: cannot read this YAML", file, 1):
        return _load_yaml(yaml_text, file)


def _load_yaml(yaml_text: str, file: str) -> tuple[dict[str, object], dict[str, int]]:
    loader = _StringLoader(yaml_text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        _refuse_aliases(node)
        if not isinstance(node, MappingNode):
            raise StoryError(
                [error("front matter must be 'key: value' lines", file, node.start_mark.line + 2)]
            )
        _refuse_duplicates(node, file)
        _nulls_as_empty(node)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and mark and mark.line >= yaml_text.count("\n"):
            # The problem was found at the end ("expected ']', but got <stream
            # end>"): the line to fix is where the unclosed thing opened.
            mark = exc.context_mark
        line = mark.line + 2 if mark else 1  # +1 for 1-based, +1 for the opening ---
        problem = exc.problem or exc.context or "invalid YAML"
        raise StoryError([error(f"front matter: {problem}", file, line)]) from None
    except yaml.YAMLError as exc:
        raise StoryError([error(f"front matter: {exc}", file, 1)]) from None
    finally:
        loader.dispose()
    key_lines = {str(k.value): k.start_mark.line + 2 for k, _ in node.value if hasattr(k, "value")}
    return {str(k): v for k, v in data.items()}, key_lines
