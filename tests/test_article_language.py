"""A language for every article: the one the page or the profile declares, else the one
its text is written in, with where it came from in field_sources."""

from __future__ import annotations

from crawler.parsing.article import parse_article
from crawler.parsing.language import detect_language
from crawler.sites import get_profile
from tests.profiles import HEAD, profile_from_toml

URL = "https://news.test/news/a-story"
PERSIAN = (
    "رئیس‌جمهور ایران امروز به مسکو رفت و با همتای روسی خود درباره همکاری‌های اقتصادی و "
    "امنیتی دو کشور گفت‌وگو کرد."
)
ARABIC = (
    "وصل الرئيس الإيراني اليوم إلى موسكو حيث التقى نظيره الروسي وبحثا التعاون الاقتصادي "
    "والأمني بين البلدين."
)


def page(lang: str = "", head: str = "", text: str = PERSIAN) -> str:
    attribute = f' lang="{lang}"' if lang else ""
    return (
        f"<html{attribute}><head><title>خبر</title>{head}</head>"
        f"<body><article><p>{text}</p><p>{text}</p></article></body></html>"
    )


def language_of(html: str, profile=None) -> tuple[str, str]:
    article = parse_article(html, URL, profile or get_profile("generic")).article
    return article.language, article.field_sources["language"]


def test_the_html_lang_attribute_comes_first():
    assert language_of(page(lang="fa-IR")) == ("fa-IR", "html")


def test_json_ld_in_language_comes_next():
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "inLanguage": "fa"}</script>'
    )

    assert language_of(page(head=head)) == ("fa", "json-ld")


def test_og_locale_is_read_as_bcp_47():
    assert language_of(page(head='<meta property="og:locale" content="fa_IR">')) == (
        "fa-IR",
        "opengraph",
    )


def test_the_profiles_language_before_any_detection():
    profile = profile_from_toml("", head='language = "ar"\n' + HEAD)

    assert language_of(page(), profile) == ("ar", "profile")


def test_an_undeclared_language_is_detected_from_the_text():
    assert language_of(page()) == ("fa", "detected")
    assert language_of(page(text=ARABIC)) == ("ar", "detected")


def test_a_text_too_short_to_tell_is_undetermined():
    assert detect_language("ok", "") == "und"
    assert detect_language("", "2024 12") == "und"


def test_a_declared_code_is_kept_in_bcp_47s_usual_case():
    assert language_of(page(lang="FA_ir")) == ("fa-IR", "html")
    assert language_of(page(lang="zh-hant-tw")) == ("zh-Hant-TW", "html")
