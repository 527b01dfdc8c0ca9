"""Fixes to WeasyPrint's layout, made once, when packager.pdf.weasy is imported.

A block broken across pages is laid out again from where it broke, on the
next page. WeasyPrint 70 gives the first line of that rest the block's
``::first-line`` style, as if it were the block's first line: the opening
paragraph of a chapter that runs onto the next page sets that page's first
line in small capitals too, letter-spaced, with fewer words. (Its
``::first-letter`` is kept from the rest: WeasyPrint skips it there.) The
fix lays out the rest of a block without the block's ``::first-line`` and
``::first-letter`` styles, nor those it inherits from the blocks it begins.

A block marked ``data-continued`` (packager.pdf.storymarkup: the rest of a
paragraph that a run of pages begins with) is laid out as such a rest too.
"""

from __future__ import annotations

from typing import Any

from packager.pdf import weasyload  # noqa: F401  (first: WeasyPrint's libraries, opened fast)

# isort: split
from weasyprint.layout import block

from packager.pdf.storymarkup import CONTINUED

_original = block.block_container_layout


def _block_container_layout(
    context: Any,
    box: Any,
    bottom_space: float,
    skip_stack: Any,
    page_is_empty: bool,
    absolute_boxes: Any,
    fixed_boxes: Any,
    adjoining_margins: Any,
    first_letter_style: Any,
    first_line_style: Any,
    discard: bool,
    max_lines: Any,
) -> Any:
    element = box.element if box.element_tag and "::" not in box.element_tag else None
    continued = element is not None and element.get(CONTINUED) is not None
    if skip_stack is None and not continued:
        return _original(
            context, box, bottom_space, skip_stack, page_is_empty, absolute_boxes,
            fixed_boxes, adjoining_margins, first_letter_style, first_line_style,
            discard, max_lines,
        )  # fmt: skip
    styles = box.first_line_style, box.first_letter_style
    box.first_line_style = box.first_letter_style = None
    try:
        return _original(
            context, box, bottom_space, skip_stack, page_is_empty, absolute_boxes,
            fixed_boxes, adjoining_margins, None, None, discard, max_lines,
        )  # fmt: skip
    finally:
        box.first_line_style, box.first_letter_style = styles


def apply() -> None:
    """Make the fix (once: applying it again changes nothing)."""
    block.block_container_layout = _block_container_layout
