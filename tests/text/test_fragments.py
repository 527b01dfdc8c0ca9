"""Walking a fragment's tags and text: what each walk keeps, and where it ends."""

from __future__ import annotations

from collections.abc import Sequence

from packager.text import html
from packager.text.mend import misnested


def _upper(blocks: Sequence[Sequence[str]]) -> list[list[str]]:
    return [[run.upper() for run in runs] for runs in blocks]


def test_map_text_keeps_every_character_around_comments_code_and_a_bare_angle() -> None:
    fragment = "<p>a &lt; b<!-- note --> c</p><pre>raw <b>x</b></pre>tail < end"
    out = html.map_text(fragment, _upper)
    assert out == "<p>A &lt; B<!-- note --> C</p><pre>raw <b>x</b></pre>TAIL &lt; END"
    # The text before the first tag and after the last is mapped too.
    assert html.map_text("lead <em>mid</em> end", _upper) == "LEAD <em>MID</em> END"
    assert html.map_text("no tags at all", _upper) == "NO TAGS AT ALL"


def test_text_of_reads_the_text_between_tags_and_a_line_per_block() -> None:
    fragment = "lead<p>one &amp; two</p><p>three<br/>four</p><!-- c -->tail"
    assert html.text_of(fragment) == "lead\none & two\n\nthree\nfour\ntail"


def test_misnested_finds_text_and_comments_in_a_list_outside_its_items() -> None:
    assert not misnested("<ul><li>one</li>\n  <li>two</li></ul>")
    assert misnested("<ul>stray<li>one</li></ul>")
    assert misnested("<ul><li>one</li><!-- c --></ul>")
    assert misnested("<ul><li>one</li> trailing")  # unclosed, ending in text
    assert not misnested("<ul><li>one</li>  \n")
    assert misnested("<em><p>a paragraph in emphasis</p></em>")
    assert not misnested("<p>a <em>plain</em> paragraph</p>")


def test_map_text_writes_every_run_escaped_whether_fn_changed_it_or_not() -> None:
    def second_only(blocks: Sequence[Sequence[str]]) -> list[list[str]]:
        return [[run if i != 1 else "x < y & z" for i, run in enumerate(runs)] for runs in blocks]

    # A reference is written in one form (&amp;), a bare '>' escaped, fn's text escaped.
    fragment = "<p>one &#38; two &gt; <em>mid</em> three > four</p><p>plain<em>gone</em></p>"
    out = html.map_text(fragment, second_only)
    assert out == (
        "<p>one &amp; two &gt; <em>x &lt; y &amp; z</em> three &gt; four</p>"
        "<p>plain<em>x &lt; y &amp; z</em></p>"
    )
