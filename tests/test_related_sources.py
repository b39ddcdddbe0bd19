"""Where related lists hide, beyond the var_dump: found by shape, in script JSON, in attributes.

Every source the profile names is read, and the lists are merged in page
order, the first mention of an id winning.
"""

from __future__ import annotations

import html
import json

from crawler.parsing.related import extract_related, related_ids
from localcopy.site import var_dump
from tests.profiles import profile_from_toml


def page(*parts: str) -> str:
    return "<html><body><h1>x</h1>" + "\n".join(parts) + "</body></html>"


def script(text: str, attributes: str = "") -> str:
    return f"<script{attributes}>{text}</script>"


ENTRIES = [{"id": "101", "title": "First"}, {"id": "102", "title": "Second"}]


def test_a_javascript_array_of_ids_and_titles_is_found_under_any_name(profile):
    text = page(script(f"var relatedNews = {json.dumps(ENTRIES)};"))

    assert extract_related(text, profile).article_ids == ["101", "102"]
    assert related_ids(text, profile) == (["101", "102"], 0)


def test_a_javascript_literal_that_is_not_json_is_read_too(profile):
    text = page(
        script("window.moreStories = [{id: 101, title: 'First',}, {id: 102, title: 'S'},];")
    )

    related = extract_related(text, profile)

    assert related.article_ids == ["101", "102"]
    assert related.links[0].title == "First"


def test_arrays_of_other_objects_are_not_taken_for_related_lists(profile):
    text = page(script('var slides = [{"src": "/a.jpg", "id": "7"}]; var n = [1, 2];'))

    assert extract_related(text, profile).article_ids == []


def test_finding_lists_by_shape_can_be_turned_off():
    profile = profile_from_toml("[related]\nshape = false")

    assert extract_related(page(script(f"var x = {json.dumps(ENTRIES)};")), profile).found is False


def test_a_list_in_script_json_is_found_by_its_path_and_keys():
    profile = profile_from_toml(
        "[related]\nshape = false\nscript_json = [{ selector = 'script#__NEXT_DATA__', "
        "path = 'props.pageProps.story.related', id = 'storyId', title = 'headline' }]"
    )
    data = {"props": {"pageProps": {"story": {"related": [{"storyId": "a-b", "headline": "H"}]}}}}
    text = page(script(json.dumps(data), ' id="__NEXT_DATA__" type="application/json"'))

    related = extract_related(text, profile)

    assert [(link.article_id, link.title) for link in related.links] == [("a-b", "H")]


def test_script_json_ignores_scripts_the_selector_does_not_name():
    profile = profile_from_toml(
        "[related]\nshape = false\n"
        "script_json = [{ selector = 'script[type=\"application/json\"].related', path = 'items' }]"
    )
    wanted = script(
        '{"items": [{"id": "1", "title": "a"}]}', ' type="application/json" class="x related"'
    )
    other = script('{"items": [{"id": "2", "title": "b"}]}', ' type="application/json"')

    assert extract_related(page(other, wanted), profile).article_ids == ["1"]


def test_every_source_is_read_and_the_first_mention_of_an_id_wins():
    profile = profile_from_toml(
        "[related]\nvar_dump = true\nattributes = ['data-related']\n"
        "script_json = [{ selector = 'script#state', path = 'related' }]"
    )
    dump = var_dump(json.dumps([{"id": "1", "title": "from the dump"}]))
    attribute = html.escape(json.dumps([{"id": "2", "title": "t"}, {"id": "1", "title": "x"}]))
    state = json.dumps({"related": [{"id": "3", "title": "t"}, {"id": "2", "title": "y"}]})
    shaped = json.dumps([{"id": "4", "title": "t"}])
    text = page(
        dump,
        f'<div data-related="{attribute}"></div>',
        script(state, ' id="state"'),
        script(f"var more = {shaped};"),
    )

    related = extract_related(text, profile)

    assert related.article_ids == ["1", "2", "3", "4"]
    assert related.links[0].title == "from the dump"


def test_a_var_dump_is_not_read_unless_the_profile_says_so():
    profile = profile_from_toml("[related]\nshape = false")

    text = page(var_dump(json.dumps(ENTRIES)))

    assert extract_related(text, profile).found is False


def test_entry_keys_are_the_profiles_to_name():
    profile = profile_from_toml(
        "[related]\nvar_dump = true\nkeys = { id = 'nid', title = 'name', media = 'img' }"
    )
    text = page(var_dump(json.dumps([{"nid": "9", "name": "Nine", "img": "/9.jpg"}])))

    link = extract_related(text, profile).links[0]

    assert (link.article_id, link.title, link.media_url) == ("9", "Nine", "https://news.test/9.jpg")


def test_slug_ids_are_followed_and_unsafe_ones_are_not():
    profile = profile_from_toml("[related]\nshape = true")
    entries = [
        {"id": "iran-russia-talks", "title": "ok"},
        {"id": "2024/05/12/a-headline", "title": "ok"},
        {"id": "../admin", "title": "no"},
        {"id": "//evil.test/x", "title": "no"},
        {"id": "has space", "title": "no"},
        {"id": "x" * 256, "title": "no: longer than the id column"},
    ]

    related = extract_related(page(script(f"var r = {json.dumps(entries)};")), profile)

    assert related.article_ids == ["iran-russia-talks", "2024/05/12/a-headline"]
    assert sum(w.startswith("related_invalid_id") for w in related.warnings) == 4
    assert (
        profile.article_url("2024/05/12/a-headline")
        == "https://news.test/news/2024/05/12/a-headline"
    )


def test_an_entry_may_name_its_article_by_link_and_keys_may_reach_into_objects():
    profile = profile_from_toml(
        "[related]\nscript_json = [{ selector = 'script#data', path = 'items', "
        "url = 'link.href', title = 'link.text' }]"
    )
    items = [
        {"link": {"href": "/news/local-story", "text": "Local"}},
        {"link": {"href": "https://news.test/news/absolute-story", "text": "Absolute"}},
        {"link": {"href": "https://other.test/news/elsewhere", "text": "Another site's"}},
    ]
    text = page(script(json.dumps({"items": items}), ' id="data"'))

    related = extract_related(text, profile)

    assert [(link.article_id, link.title) for link in related.links] == [
        ("local-story", "Local"),
        ("absolute-story", "Absolute"),
    ]
    assert related_ids(text, profile) == (["local-story", "absolute-story"], 1)
