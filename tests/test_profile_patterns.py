"""A profile's regular expressions run in linear time over bounded text: none can hang a crawl."""

from __future__ import annotations

import textwrap

import pytest

from crawler.sites import ProfileError, load_profile
from crawler.sites.patterns import MATCH_MAX_LENGTH, PatternError, compile_pattern

# The issue's pattern: with a backtracking engine a 27-character path took 8 s,
# and each character more doubled it.
NESTED = r"^/news/((?:a+)+)(?:/|$)"


def write_profile(tmp_path, id_pattern: str, desk_code_pattern: str | None = None):
    desk = f"[fields]\ndesk_code_pattern = '{desk_code_pattern}'\n" if desk_code_pattern else ""
    path = tmp_path / "site.toml"
    path.write_text(
        textwrap.dedent(
            f"""\
            name = "site"
            base_url = "https://site.test"
            [article]
            url = "/news/{{id}}"
            id_pattern = '{id_pattern}'
            """
        )
        + desk,
        encoding="utf-8",
    )
    return path


def test_the_issues_nested_quantifier_matches_a_long_path_without_backtracking(tmp_path):
    profile = load_profile(write_profile(tmp_path, NESTED))

    # Thousands of characters that a backtracking engine would try 2**n ways.
    assert profile.article_id_from_url("https://site.test/news/" + "a" * 4000 + "!") is None
    assert profile.article_id_from_url("https://site.test/news/" + "a" * 200) == "a" * 200


@pytest.mark.parametrize(
    ("pattern", "feature"),
    [
        (r"^/news/(a+)\1$", "backreference"),
        (r"^/news/(?=a)(.+)$", "lookahead"),
        (r"^/news/(?<!x)(.+)$", "lookbehind"),
    ],
)
def test_a_pattern_that_needs_backtracking_is_refused_when_the_profile_loads(
    tmp_path, pattern, feature
):
    with pytest.raises(ProfileError) as raised:
        load_profile(write_profile(tmp_path, pattern))

    assert raised.value.key == "article.id_pattern"
    assert "linear time" in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_desk_code_pattern_that_needs_backtracking_is_refused_too(tmp_path):
    with pytest.raises(ProfileError) as raised:
        load_profile(write_profile(tmp_path, r"^/news/([0-9]+)", r"(\w)\1"))

    assert raised.value.key == "fields.desk_code_pattern"


def test_text_longer_than_the_bound_matches_nothing():
    pattern = compile_pattern(r"^/news/([a-z]+)")

    assert pattern.match("/news/" + "a" * (MATCH_MAX_LENGTH - 6)) is not None
    assert pattern.match("/news/" + "a" * (MATCH_MAX_LENGTH - 5)) is None
    assert pattern.fullmatch("x" * (MATCH_MAX_LENGTH + 1)) is None


def test_a_path_longer_than_the_bound_is_no_article_path(tmp_path):
    profile = load_profile(write_profile(tmp_path, r"^/news/([a-z]+)"))

    assert profile.article_id_from_url("https://site.test/news/" + "a" * MATCH_MAX_LENGTH) is None


def test_a_pattern_error_is_one_line_in_words_not_bytes():
    with pytest.raises(PatternError) as raised:
        compile_pattern(r"(a)\1")

    assert "invalid escape sequence" in str(raised.value)
    assert "b'" not in str(raised.value)
