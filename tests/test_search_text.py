"""The text the search index reads: one normalisation for documents and queries, by language."""

from __future__ import annotations

import pytest

from crawler.archive.search_text import fold, index_text, query_forms, text_kind

FOLDED = [
    # (written, folded): letters as a reader of Arabic or Persian takes them to be one
    ("الرَّئِيس", "الرئيس"),  # harakat
    ("الرئيـــس", "الرئيس"),  # tatweel
    ("قُرْآنٰ", "قران"),  # sukun, superscript alef, alef madda
    ("أيران إيران آيران ٱيران", "ايران ايران ايران ايران"),
    ("مدرسة", "مدرسه"),
    ("مصطفى", "مصطفي"),
    ("ایران کتابخانه", "ايران كتابخانه"),  # Persian yeh and kaf
    (
        "٢٠١٦ ۲۰۱۶ २०१६ ２０１６",
        "2016 2016 2016 2016",
    ),  # Arabic-Indic, Persian, Devanagari, full-width
    ("ﻻ", "لا"),  # a presentation form (NFKC)
    ("رئیس\u200fجمهور", "رئيسجمهور"),  # a bidi mark carries no letter
    ("Hamedan, 16 August", "Hamedan, 16 August"),
]


@pytest.mark.parametrize(("written", "folded"), FOLDED)
def test_fold_takes_the_forms_a_reader_takes_as_one(written: str, folded: str) -> None:
    assert fold(written) == folded


INDEXED = [
    # (text, article language, as indexed)
    ("الرئيس", "ar", "رييس"),  # the article al- goes (Snowball also folds hamza on yeh)
    ("رئيس", "ar", "رييس"),
    ("بالرئيس", "ar", "رييس"),  # a preposition fused with the article
    ("المدارس", "ar", "مدارس"),
    ("والرئيس فالرئيس", "ar", "رييس رييس"),  # a conjunction before the article
    ("والدين", "ar", "والد"),  # not a conjunction: too little follows the article
    ("مدرسة", "ar", "مدرس"),
    ("مدرسه", "ar", "مدرس"),
    ("٢٠١٦", "ar-LB", "2016"),
    ("رئیس‌جمهور", "fa", "رئيس جمهور"),  # the non-joiner splits a compound into its words
    ("می‌یابد", "fa", "يابد"),  # a verbal prefix after a non-joiner
    ("کتاب‌ها کتابها کتاب", "fa", "كتاب كتاب كتاب"),  # the plural, joined or not
    ("تنها", "fa", "تنها"),  # a word ending in ها with too short a stem is not a plural
    ("کتابخانه", "fa-IR", "كتابخانه"),
    ("کتابخانه", "ur", "كتابخانه"),  # folded only: neither stemmer knows Urdu
    ("Bombers hit 2016 ﬁles", "en", "Bombers hit 2016 files"),  # the engine stems English
    ("Reuters: الرئيس", "en", "Reuters: رييس"),  # an Arabic word in another language
]


@pytest.mark.parametrize(("text", "language", "indexed"), INDEXED)
def test_index_text_by_the_articles_language(text: str, language: str, indexed: str) -> None:
    assert index_text(text, language) == indexed


@pytest.mark.parametrize(
    ("language", "kind"),
    [
        ("ar", "arabic"),
        ("ar-EG", "arabic"),
        ("fa", "persian"),
        ("fa-AF", "persian"),
        ("prs", "persian"),
        ("ur", "fold"),
        ("en", "arabic"),
        ("und", "arabic"),
    ],
)
def test_text_kind_by_primary_language_subtag(language: str, kind: str) -> None:
    assert text_kind(language) == kind


def test_a_query_in_latin_script_has_one_form() -> None:
    assert query_forms("Hamedan bombers") == ["Hamedan bombers"]


def test_a_query_in_arabic_script_is_searched_as_arabic_and_as_persian() -> None:
    assert query_forms("کتابخانه") == ["كتابخ", "كتابخانه"]
    assert query_forms("ايران") == ["ايران"]  # one form when the treatments agree


def test_every_query_form_is_one_a_document_can_have() -> None:
    for document, language in (("الرئيس", "ar"), ("کتابخانه", "fa"), ("مدرسه", "ur")):
        assert index_text(document, language) in query_forms(document)
