"""What packager read and changed, as plain data for `check --json` and the CLI."""

from __future__ import annotations

from typing import Any

from packager.build import BuildResult, Loaded
from packager.model import Change, Diagnostic, Severity, Story
from packager.paths import display_path
from packager.text import html
from packager.text.typography import rules_for


def diagnostic(d: Diagnostic) -> dict[str, Any]:
    return {"severity": d.severity.value, "file": d.file, "line": d.line, "message": d.message}


def change(c: Change) -> dict[str, Any]:
    return {"file": c.file, "line": c.line, "kind": c.kind, "action": c.action, "text": c.text}


def typography(s: Story, book_language: str) -> dict[str, Any]:
    """The language a story is set in and the typography table used (None: quotes as typed)."""
    language = s.meta.language or book_language
    rules = rules_for(language)
    return {"language": language, "typography": rules.tag if rules else None}


def untypeset(loaded: Loaded) -> list[str]:
    """One line per language without typography rules, naming its stories."""
    by_language: dict[str, list[str]] = {}
    for s in loaded.stories:
        found = typography(s, loaded.config.settings.language)
        if found["typography"] is None:
            by_language.setdefault(found["language"], []).append(s.name)
    return [
        f"language '{lang}': no typography rules in packager; quotes and apostrophes "
        f"are left as typed ({', '.join(names)})"
        for lang, names in by_language.items()
    ]


def story(s: Story, book_language: str = "en") -> dict[str, Any]:
    return {
        "file": display_path(s.path),
        "title": s.meta.title,
        "authors": list(s.meta.authors),
        **typography(s, book_language),
        "encoding": s.encoding,
        "words": s.words,
        "chapters": [c.title for c in s.chapters if c.title],
        "notes": [
            {"number": n.number, "kind": n.kind, "line": n.line, "text": html.text_of(n.html)}
            for c in s.chapters
            for n in c.footnotes
        ],
        "pictures": [
            {"href": i.href, "media_type": i.media_type, "width": i.width, "height": i.height}
            for i in s.images
        ],
        "changes": [change(c) for c in s.changes],
        "warnings": [diagnostic(d) for d in s.diagnostics if d.severity is not Severity.INFO],
    }


def check_report(loaded: Loaded) -> dict[str, Any]:
    """The `packager check --json` document."""
    own = {d for s in loaded.stories for d in s.diagnostics}
    return {
        "title": loaded.config.settings.title,
        "stories": [story(s, loaded.config.settings.language) for s in loaded.stories],
        "words": sum(s.words for s in loaded.stories),
        "warnings": [
            diagnostic(d)
            for d in loaded.diagnostics
            if d not in own and d.severity is not Severity.INFO
        ],
        "errors": [],
    }


def error_report(problems: tuple[Diagnostic, ...]) -> dict[str, Any]:
    return {"stories": [], "warnings": [], "errors": [diagnostic(p) for p in problems]}


def build_report(result: BuildResult, seconds: float) -> dict[str, Any]:
    """The `packager build --json` document."""
    return {
        "title": result.title,
        "words": result.words,
        "seconds": round(seconds, 2),
        "cache": {"hits": result.cache_hits, "misses": result.cache_misses},
        "retried": result.retried,  # layout tasks a cluster ran again after a worker died
        "outputs": [
            {
                "format": o.format,
                "path": display_path(o.path),
                "bytes": o.size,
                "sha256": o.sha256,
                "pages": o.pages,
                "epubcheck": o.checked if o.format == "epub" else None,
                "page_list": o.page_list if o.format != "pdf" else None,
            }
            for o in result.outputs
        ],
        "stories": [
            {
                "file": display_path(s.path),
                "title": s.meta.title,
                "authors": list(s.meta.authors),
                "words": s.words,
                "chapters": [c.title for c in s.chapters if c.title],
            }
            for s in result.read
        ],
        "warnings": [diagnostic(d) for d in result.diagnostics if d.severity is Severity.WARNING],
        "errors": [],
    }
