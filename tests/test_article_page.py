"""From a page's HTML to the record: what is body, what is not, and when there is no record."""

from __future__ import annotations

import hashlib

from crawler.parsing.article import parse_article
from tests.profiles import profile_from_toml

URL = "https://en.alalam.ir/news/1900001"


def page(
    body: str = "<p>First paragraph.</p>",
    title: str = '<h1 class="news-title">A headline</h1>',
    date: str = '<div class="news-date">Tue Aug 16, 2016 17:52:15</div>',
    html_attrs: str = ' lang="en"',
    after: str = "",
    head: str = "<title>x</title>",
) -> str:
    return (
        f"<!DOCTYPE html><html{html_attrs}><head>{head}</head><body>"
        f'<div class="news-detail">{title}{date}<div class="news-text">{body}</div></div>'
        f"{after}</body></html>"
    )


def parse(html: str, profile, url: str = URL):
    return parse_article(html, url, profile)


def test_a_page_without_a_title_gives_no_record_and_says_why(profile):
    result = parse(page(title="", head=""), profile)

    assert result.article is None
    assert result.drop_reason == "no_title"


def test_a_title_rule_that_misses_falls_back_to_the_title_tag_and_says_so(profile):
    result = parse(page(title="", head="<title>Headline | Alalam</title>"), profile)

    assert result.article.title == "Headline"  # the headline, without the site's name
    assert result.article.field_sources["title"] == "title-tag"
    assert any(w.startswith("title_rule_missed") for w in result.warnings)


def test_an_empty_page_gives_no_record(profile):
    assert parse("  \n", profile).drop_reason == "empty_page"


def test_a_url_without_an_article_id_gives_no_record(profile):
    assert (
        parse(page(), profile, url="https://en.alalam.ir/about").drop_reason == "not_an_article_url"
    )


def test_the_article_id_comes_from_the_url_before_redirects(profile):
    assert (
        parse(page(), profile, url="https://en.alalam.ir/news/42/some-slug").article.article_id
        == "42"
    )


def test_a_page_without_a_date_is_kept_with_a_null_date_and_a_warning(profile):
    result = parse(page(date=""), profile)

    assert result.article.published_at is None
    assert result.article.published_local is None
    assert "no_date" in result.warnings


def test_entities_in_the_title_are_decoded_and_spaces_normalised(profile):
    title = '<h1 class="news-title"> Tom &amp;&nbsp;Jerry </h1>'

    assert parse(page(title=title), profile).article.title == "Tom & Jerry"


def test_a_div_with_text_is_a_paragraph(profile):
    body = "<p>One.</p><div>Two, in a div.</div><div><p>Three.</p></div>"

    assert parse(page(body=body), profile).article.body == "One.\n\nTwo, in a div.\n\nThree."


def test_text_written_straight_into_the_body_is_a_paragraph(profile):
    body = "Loose text <em>with emphasis</em>.<p>A paragraph.</p>Trailing text."

    paragraphs = parse(page(body=body), profile).article.body.split("\n\n")

    assert paragraphs == ["Loose text with emphasis.", "A paragraph.", "Trailing text."]


def test_empty_paragraphs_are_dropped(profile):
    body = "<p>One.</p><p> &nbsp; </p><p></p><p>Two.</p>"

    assert parse(page(body=body), profile).article.body == "One.\n\nTwo."


def test_a_line_break_separates_words(profile):
    assert parse(page(body="<p>one<br>two</p>"), profile).article.body == "one two"


def test_bold_paragraphs_and_headings_are_subheadings_kept_in_the_body(profile):
    body = (
        "<p>Lead.</p><p><strong>Bold heading</strong></p>"
        "<h3>Real heading</h3><p>Text <b>bold</b>.</p>"
    )

    article = parse(page(body=body), profile).article

    assert article.subheadings == ["Bold heading", "Real heading"]
    assert article.body == "Lead.\n\nBold heading\n\nReal heading\n\nText bold."


def test_the_lead_is_the_first_paragraph(profile):
    assert parse(page(body="<p>First.</p><p>Second.</p>"), profile).article.lead == "First."


def test_the_desk_code_is_taken_out_of_the_body(profile):
    body = '<p>Text.</p><p class="code">S/SH 11</p>'

    article = parse(page(body=body), profile).article

    assert (article.desk_code, article.body) == ("S/SH 11", "Text.")


def test_a_last_line_shaped_like_a_desk_code_is_the_desk_code_without_markup(profile):
    article = parse(page(body="<p>Text.</p><p>MR/AK 7</p>"), profile).article

    assert (article.desk_code, article.body) == ("MR/AK 7", "Text.")


def test_no_desk_code_is_null(profile):
    assert parse(page(body="<p>Text.</p>"), profile).article.desk_code is None


def test_a_dump_printed_inside_the_body_is_not_body_text(profile):
    body = '<p>Text.</p>string(27) "[{"id":"5","title":"Other"}]"'

    article = parse(page(body=body), profile).article

    assert article.body == "Text."
    assert [link.article_id for link in article.related] == ["5"]


def test_images_are_absolute_with_their_captions_in_page_order(profile):
    body = (
        '<div class="news-image"><img src="/a.jpg"><p class="caption">Caption A</p></div>'
        "<p>Text.</p>"
        '<p><img src="https://cdn.example.org/b.png"></p>'
    )

    article = parse(page(body=body), profile).article

    assert [(i.url, i.caption) for i in article.images] == [
        ("https://en.alalam.ir/a.jpg", "Caption A"),
        ("https://cdn.example.org/b.png", None),
    ]
    assert article.body == "Text."


def test_image_urls_other_than_http_are_skipped_with_a_warning(profile):
    result = parse(page(body='<p>Text.</p><img src="data:image/png;base64,AAAA">'), profile)

    assert result.article.images == []
    assert result.warnings[0].startswith("image_bad_url")


def test_language_comes_from_the_html_element(profile):
    assert parse(page(html_attrs=' lang="fa"'), profile).article.language == "fa"


def test_language_falls_back_to_the_profile(profile):
    assert parse(page(html_attrs=""), profile).article.language == "en"


def test_scripts_and_styles_are_not_body_text(profile):
    body = "<p>Text.</p><script>var x = 1;</script><style>p {}</style>"

    assert parse(page(body=body), profile).article.body == "Text."


def test_word_count_and_content_hash_follow_title_and_body(profile):
    article = parse(page(body="<p>Three little words.</p>"), profile).article

    assert article.word_count == 3
    assert article.content_hash == hashlib.sha256(b"A headline\n\nThree little words.").hexdigest()


RULES = '[fields]\ntitle = ["h1::text"]\nauthors = ["meta[name=byline]::attr(content)"]\n'
RULED_PAGE = (
    '<html><head><meta name="byline" content="Ana"><meta name="byline" content=" Bo "></head>'
    "<body><h1>A <em>whole</em> headline</h1><p>Text.</p></body></html>"
)


def test_a_text_rule_reads_its_elements_whole_text():
    article = parse_article(
        RULED_PAGE, "https://news.test/news/x", profile_from_toml(RULES)
    ).article

    assert (article.title, article.field_sources["title"]) == ("A whole headline", "css")


def test_an_attribute_rule_reads_the_attribute_of_every_match():
    article = parse_article(
        RULED_PAGE, "https://news.test/news/x", profile_from_toml(RULES)
    ).article

    assert (article.authors, article.field_sources["authors"]) == (["Ana", "Bo"], "css")
