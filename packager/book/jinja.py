"""The templates' environment: Jinja2 in its immutable sandbox, templates kept in their folders.

The only module that imports jinja2's machinery; a template's mistake becomes a
PackagerError naming the template file (and line).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateRuntimeError,
    TemplateSyntaxError,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment

from packager.book.contributors import join_names
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


def environment(template_dirs: Sequence[Path]) -> Environment:
    """Templates render in Jinja's immutable sandbox.

    An editor's own templates (SOURCE/templates/) come with story folders that
    are shared and downloaded; in the sandbox they can lay out the book but
    not reach Python (``cycler.__init__.__globals__``) or change its data.
    """
    env = ImmutableSandboxedEnvironment(
        loader=_ContainedLoader([str(d) for d in template_dirs]),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["join_names"] = join_names
    return env


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
