"""The templates' environment: Jinja2 in its immutable sandbox, templates kept in their folders.

The only module that imports jinja2's machinery; a template's mistake becomes a
PackagerError naming the template file (and line).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from jinja2 import (
    BytecodeCache,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateRuntimeError,
    TemplateSyntaxError,
)
from jinja2.bccache import Bucket
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from packager.book.labels import Labels, entries
from packager.book.themes import BUILTIN_TEMPLATES
from packager.errors import PackagerError, error
from packager.paths import display_path


class _ContainedLoader(FileSystemLoader):
    """FileSystemLoader that refuses a template file linking out of its folder.

    An editor's templates/ folder travels with the stories; a file in it that
    is a symlink to /etc/passwd would otherwise be read and printed.
    """

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        text, filename, uptodate = super().get_source(environment, template)
        if not any(
            Path(filename).resolve().is_relative_to(Path(d).resolve()) for d in self.searchpath
        ):
            where = (Path(display_path(Path(filename).parent)) / Path(filename).name).as_posix()
            raise PackagerError([error("template links outside its folder; refused", where)])
        return text, filename, uptodate


class _Compiled(BytecodeCache):
    """Each template compiled once per process (``preview``, ``--watch`` and batches build
    again and again); Jinja uses a kept one only if its source's checksum still matches."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if (code := self._code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _Compiled()


def environment(template_dirs: Sequence[Path], labels: Labels | None = None) -> Environment:
    """Templates render in Jinja's immutable sandbox.

    An editor's own templates (SOURCE/templates/) come with story folders that
    are shared and downloaded; in the sandbox they can lay out the book but
    not reach Python (``cycler.__init__.__globals__``) or change its data.

    Every template, the theme's and the editor's too, has the book's words:
    ``{{ label("contents") }}``, ``{{ label("word_count", count=words) }}``, and
    the filters ``number``, ``date`` and ``join_names`` in the book's language.
    """
    words = labels or Labels("en")
    env = ImmutableSandboxedEnvironment(
        loader=_ContainedLoader([str(d) for d in template_dirs]),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        bytecode_cache=_COMPILED,
    )
    env.globals["label"] = functools.partial(_label, words)
    env.filters["join_names"] = words.names
    env.filters["number"] = words.number
    env.filters["date"] = words.date
    return env


def _label(labels: Labels, key: str, count: int | None = None, **values: object) -> Markup:
    """A label as markup: its text escaped, values escaped unless already markup."""
    if key not in entries():
        raise TemplateRuntimeError(f"no label '{key}' (known: {', '.join(entries())})")
    shown = {k: labels.number(v) if type(v) is int else v for k, v in values.items()}
    if count is not None:
        shown["count"] = labels.number(count)
    try:
        return Markup(escape(labels.pattern(key, count))).format(**shown)
    except (KeyError, IndexError) as exc:
        raise TemplateRuntimeError(f"label '{key}' needs the value {exc}") from None


@contextlib.contextmanager
def template_errors() -> Iterator[None]:
    """A template's mistake as a PackagerError naming the template (and line)."""
    try:
        yield
    except TemplateSyntaxError as exc:
        where = display_path(Path(exc.filename)) if exc.filename else exc.name or "template"
        raise PackagerError([error(f"template: {exc.message}", where, exc.lineno)]) from None
    except TemplateError as exc:
        raise PackagerError([error(f"template: {exc.message or exc}")]) from None


def render_template(env: Environment, name: str, context: dict[str, Any]) -> str:
    template = env.get_template(name)
    try:
        return template.render(context)
    except TemplateRuntimeError as exc:  # e.g. the sandbox refused an attribute
        where = display_path(Path(template.filename or template.name or name))
        raise PackagerError([error(f"template: {exc}", where)]) from None


def replaced(env: Environment, name: str) -> bool:
    """Whether the editor or the theme gives its own template of this name."""
    found = env.get_template(name).filename
    return found is not None and Path(found).resolve().parent != BUILTIN_TEMPLATES
