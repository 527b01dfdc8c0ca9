"""The book's stylesheets parsed once per renderer, not once per part (WeasyPrint 70).

WeasyPrint fetches, parses and validates every ``<link rel="stylesheet">`` and
``<style>`` of each document it lays out: for the book's print stylesheets,
about a tenth of the time a part takes. Every part of a book links the same
sheets, so within one ``Renderer`` (one fetcher, one font configuration) the
parsed sheets of a document are kept, keyed by what its style and link
elements say, and given to the next document with the same ones.

Parsing has effects beyond the sheets, and each is replayed on a kept one:
the ``@counter-style`` rules it adds to the document's counter styles, what
it logs (packager collects WeasyPrint's warnings per part) and the addresses
the fetcher refused. A sheet's ``@page`` rules are its own (WeasyPrint reads
them from each sheet; the document's list is only where they are gathered).
Its ``@font-face`` rules are registered in the renderer's font configuration,
which the renderer keeps. A document whose sheets declare cascade layers or
colour profiles is parsed afresh each time.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from packager.pdf import weasyload  # noqa: F401  (first: WeasyPrint's libraries, opened fast)

# isort: split
import weasyprint.css
from weasyprint.css.tokens import Pending
from weasyprint.html import element_has_link_type, parse_url

_original = weasyprint.css.find_stylesheets
_LOGGER = logging.getLogger("weasyprint")


@dataclass(frozen=True)
class _Parsed:
    sheets: tuple[Any, ...]
    counter_styles: tuple[tuple[str, Any], ...]
    records: tuple[logging.LogRecord, ...]
    refused: tuple[str, ...]
    pending: tuple[Pending, ...]  # values with var(): each warns once per document


Kept = dict[tuple[Any, ...], _Parsed]
# The renderer's, while it renders (per thread: a Dask worker's threads each have theirs).
_kept: contextvars.ContextVar[Kept | None] = contextvars.ContextVar("kept", default=None)


@contextlib.contextmanager
def kept(store: Kept) -> Iterator[None]:
    """Keep and reuse parsed stylesheets in ``store`` while a document is laid out."""
    token = _kept.set(store)
    try:
        yield
    finally:
        _kept.reset(token)


def _source(wrapper: Any, base_url: str | None) -> tuple[Any, ...]:
    """What decides a style or link element's sheet: its attributes, and its text or the
    address it names as resolved against the document."""
    element = wrapper.etree_element
    attributes = tuple(sorted((str(k), str(v)) for k, v in element.attrib.items()))
    if element.tag == "style":
        text = "".join(element.itertext())
        return ("style", attributes, text, base_url)
    href = element.get("href")
    stylesheet = element_has_link_type(element, "stylesheet")
    resolved = parse_url(href, base_url) if href else None
    return ("link", attributes, stylesheet, resolved)


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)  # what packager collects
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _find_stylesheets(
    wrapper_element: Any,
    device_media_type: str,
    url_fetcher: Any,
    base_url: str | None,
    font_config: Any,
    counter_style: Any,
    color_profiles: Any,
    page_rules: list[Any],
    layers: list[Any],
) -> Iterator[Any]:
    args = (wrapper_element, device_media_type, url_fetcher, base_url, font_config,
            counter_style, color_profiles, page_rules, layers)  # fmt: skip
    store = _kept.get()
    if store is None or page_rules or layers or color_profiles:
        yield from _original(*args)
        return
    elements = tuple(_source(w, base_url) for w in wrapper_element.query_all("style", "link"))
    key = (elements, device_media_type, id(url_fetcher), id(font_config))
    found = store.get(key)
    if found is None:
        styles_before = dict(counter_style)
        refused = getattr(url_fetcher, "refused", None)
        refused_before = len(refused) if refused is not None else 0
        recorder = _Recorder()
        _LOGGER.addHandler(recorder)
        try:  # what is said while parsing reaches the other handlers too, as before
            sheets = tuple(_original(*args))
        finally:
            _LOGGER.removeHandler(recorder)
        pending = _pending(sheets)
        # Else parsed every time: layers (the document's order), colour profiles, and
        # declarations this module cannot find every var() value of.
        if not (layers or color_profiles) and pending is not None:
            store[key] = _Parsed(
                sheets,
                tuple(
                    (k, v) for k, v in counter_style.items() if styles_before.get(k, _NO) is not v
                ),
                tuple(recorder.records),
                tuple(refused[refused_before:]) if refused is not None else (),
                pending,
            )
        yield from sheets
        return
    for name, style in found.counter_styles:
        counter_style[name] = style
    for record in found.records:
        _LOGGER.handle(record)
    if found.refused and hasattr(url_fetcher, "refused"):
        url_fetcher.refused.extend(found.refused)
    for value in found.pending:  # as if parsed for this document: it warns again
        value._reported_error = False
    yield from found.sheets


_NO = object()


def _pending(sheets: tuple[Any, ...]) -> tuple[Pending, ...] | None:
    """Every var() value the sheets' rules hold (a Pending keeps, once it has warned, that
    it did); None if the sheets are not laid out as this module knows them."""
    found: dict[int, Pending] = {}
    try:
        for sheet in sheets:
            matcher = sheet.matcher
            groups = [
                *matcher.id_selectors.values(),
                *matcher.class_selectors.values(),
                *matcher.lower_local_name_selectors.values(),
                *matcher.namespace_selectors.values(),
                matcher.lang_attr_selectors,
                matcher.other_selectors,
            ]
            rules = [entry[-1][0] for entries in groups for entry in entries]
            rules += [declarations for _, _, declarations in sheet.page_rules]
            for declarations in rules:
                for _, value, _ in declarations:
                    if isinstance(value, Pending):
                        found[id(value)] = value
    except (AttributeError, TypeError, ValueError, IndexError):
        return None
    return tuple(found.values())


def apply() -> None:
    """Keep parsed sheets where a renderer asks for it (once: applying it again changes
    nothing; outside ``kept`` WeasyPrint parses as it always does)."""
    weasyprint.css.find_stylesheets = _find_stylesheets
