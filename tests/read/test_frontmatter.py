"""Front matter: every scalar stays as written; problems name file and line."""

from __future__ import annotations

import pytest

from packager.errors import StoryError
from packager.read.frontmatter import split_front_matter


def test_scalars_stay_strings() -> None:
    text = "---\ntitle: 007\ntime: 1:20\nrating: no\nversion: 3.10\ndate: 2024-05-01\n---\nBody\n"
    front = split_front_matter(text, "s.md")
    assert front.fields == {
        "title": "007",
        "time": "1:20",
        "rating": "no",
        "version": "3.10",
        "date": "2024-05-01",
    }
    assert front.body == "Body\n"
    assert front.body_line == 8
    assert front.lines["rating"] == 4


def test_lists_keep_their_shape() -> None:
    front = split_front_matter("---\ntags: [a, 'b c']\nwarnings:\n  - x\n---\n", "s.md")
    assert front.fields == {"tags": ["a", "b c"], "warnings": ["x"]}


def test_no_front_matter() -> None:
    front = split_front_matter("Just a story.\n", "s.md")
    assert front.fields == {} and front.body == "Just a story.\n" and front.body_line == 1


def test_syntax_error_names_file_and_line() -> None:
    with pytest.raises(StoryError) as caught:
        split_front_matter("---\ntitle: ok\nauthor: [unclosed\nsummary: x\n---\nBody", "s.md")
    problem = caught.value.problems[0]
    assert problem.file == "s.md" and problem.line == 3  # where the "[" opened
    assert "front matter" in problem.message


def test_unclosed_front_matter() -> None:
    with pytest.raises(StoryError, match="no closing"):
        split_front_matter("---\ntitle: x\n\nThe story starts here.", "s.md")


def test_aliases_are_refused() -> None:
    text = "---\na: &x [1, 2]\nb: *x\n---\n"
    with pytest.raises(StoryError) as caught:
        split_front_matter(text, "s.md")
    assert "aliases" in caught.value.problems[0].message
    assert caught.value.problems[0].line == 3


def test_front_matter_must_be_a_mapping() -> None:
    with pytest.raises(StoryError, match="key: value"):
        split_front_matter("---\n- a\n- b\n---\n", "s.md")
