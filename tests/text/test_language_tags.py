"""Language tags: the names archives use, and the languages Kindle accepts."""

from __future__ import annotations

import pytest

from packager.text.languages import kindle_accepts, language_tag


@pytest.mark.parametrize(
    ("tag", "accepted"),
    [
        ("en", True), ("en-GB", True), ("de-CH", True), ("ja", True), ("ar", True),
        ("ro", True), ("nb", True), ("nn", True), ("no", True), ("hi", True),
        ("zh-Hant", True), ("zh-TW", True), ("zh-Hant-HK", True),
        # KDP: "doesn't support eBooks in Chinese (Simplified)".
        ("zh", False), ("zh-Hans", False), ("zh-CN", False),
        ("ru", False), ("ko", False), ("he", False), ("tlh", False),
    ],
)  # fmt: skip
def test_kindle_accepts_kdps_list(tag: str, accepted: bool) -> None:
    assert kindle_accepts(tag) is accepted


def test_norwegian_names_give_the_written_standard() -> None:
    assert language_tag("Norsk") == "no"
    assert language_tag("Bokmål") == "nb"
    assert language_tag("Nynorsk") == "nn"
