"""A hit's snippet: the passage of the article's own text with the query's words marked."""

from __future__ import annotations

from crawler.archive.search_snippet import WORDS, query_keys, snippet
from crawler.archive.search_text import query_forms

MARK = ("[", "]")


def keys(word: str) -> set[str]:
    return query_keys(query_forms(word))


def test_the_passage_around_the_match_is_cut_with_ellipses():
    body = (
        " ".join(f"w{n}" for n in range(100)) + " Hamedan " + " ".join(f"v{n}" for n in range(100))
    )

    passage = snippet("Title", body, "en", keys("Hamedan"), mark=MARK)

    assert passage.startswith("…")
    assert passage.endswith("…")
    assert "w98 w99 [Hamedan] v0" in passage
    assert len(passage.strip("…").split()) == WORDS


def test_the_passage_with_most_matches_wins():
    body = "Iran said. " + "filler " * 40 + "Iran and Iran again."

    passage = snippet("Title", body, "en", keys("Iran"), mark=MARK)

    assert "[Iran] and [Iran] again." in passage


def test_a_match_in_the_title_alone_gives_the_title():
    assert snippet("Talks in Geneva", "Officials met.", "en", keys("Geneva"), mark=MARK) == (
        "Talks in [Geneva]"
    )


def test_no_match_gives_the_beginning_of_the_body():
    body = " ".join(f"w{n}" for n in range(30))

    assert (
        snippet("Title", body, "en", keys("absent"), mark=MARK)
        == " ".join(f"w{n}" for n in range(WORDS)) + "…"
    )


def test_a_prefix_marks_the_words_that_begin_with_it():
    passage = snippet(
        "T", "Hamedan and Hamadan", "en", (), query_keys(["hamed"], prefix=True), mark=MARK
    )

    assert passage == "[Hamedan] and Hamadan"


def test_an_arabic_word_is_marked_as_written_whatever_its_spelling():
    body = "قال الرَّئِيس إن الرئيـــس والرئيس"

    passage = snippet("T", body, "ar", keys("رئيس"), mark=MARK)

    assert passage == "قال [الرَّئِيس] إن [الرئيـــس] [والرئيس]"
