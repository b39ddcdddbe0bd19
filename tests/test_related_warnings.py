"""A related list the profile does not read right says why: which source matched, what it
found at the profile's path, which key an entry lacks; for the profile's author."""

from __future__ import annotations

import json

import pytest

from crawler.parsing.related import extract_related
from localcopy.site import var_dump
from tests.profiles import profile_from_toml

NEXT_DATA = {"props": {"pageProps": {"story": {"id": 7, "relatedStories": []}}}}


def page(*parts: str) -> str:
    return "<html><body><h1>x</h1>" + "\n".join(parts) + "</body></html>"


def script_json(data: object) -> str:
    return f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(data)}</script>'


def warnings(text: str, related_toml: str) -> list[str]:
    return extract_related(text, profile_from_toml(f"[related]\n{related_toml}")).warnings


@pytest.mark.parametrize(
    ("text", "related_toml", "warning"),
    [
        (
            page(var_dump(json.dumps([{"ID": "1", "title": "One"}]))),
            "var_dump = true\nshape = false",
            "related_invalid_id: entry 1 of the var_dump has no 'id' key "
            "(its keys 'ID', 'title'); not followed",
        ),
        (
            page('<script>var related = [{"id": "1", "title": "One"}, {"storyId": "2"}];</script>'),
            "script_vars = ['related']\nshape = false",
            "related_invalid_id: entry 2 of script variable 'related' has no 'id' key "
            "(its keys 'storyId'); not followed",
        ),
        (
            page('<div data-related=\'[{"id": "../admin", "title": "x"}]\'></div>'),
            "attributes = ['data-related']\nshape = false",
            "related_invalid_id: '../admin' under 'id' in entry 1 of attribute 'data-related' "
            "is no article id; not followed",
        ),
        (
            page(script_json({"props": {"related": [{"slug": "x", "title": "x"}]}})),
            "shape = false\nscript_json = [{ selector = 'script#__NEXT_DATA__', "
            "path = 'props.related', id = 'storyId', url = 'href' }]",
            "related_invalid_id: entry 1 of script_json script#__NEXT_DATA__ at 'props.related' "
            "has no 'storyId' nor 'href' key (its keys 'slug', 'title'); not followed",
        ),
        (
            page(script_json({"props": {"related": [42]}})),
            "shape = false\nscript_json = [{ selector = 'script#__NEXT_DATA__', "
            "path = 'props.related' }]",
            "related_bad_entry: entry 1 of script_json script#__NEXT_DATA__ at 'props.related' "
            "is 42",
        ),
    ],
)
def test_an_entry_without_a_usable_id_names_its_source_and_the_key_it_lacks(
    text, related_toml, warning
):
    assert warning in warnings(text, related_toml)


@pytest.mark.parametrize(
    ("path", "warning"),
    [
        (
            "props.pageProps.story.related",
            "related_missing: script#__NEXT_DATA__ is in the page, its JSON has nothing at "
            "'props.pageProps.story.related': 'props.pageProps.story' holds an object with "
            "keys 'id', 'relatedStories'",
        ),
        (
            "page.related",
            "related_missing: script#__NEXT_DATA__ is in the page, its JSON has nothing at "
            "'page.related': its JSON is an object with keys 'props'",
        ),
        (
            "props.pageProps.story.id",
            "related_unreadable: 'props.pageProps.story.id' in script#__NEXT_DATA__ is not a "
            "list but 7",
        ),
    ],
)
def test_a_script_json_path_that_finds_no_list_says_what_is_there(path, warning):
    source = f"{{ selector = 'script#__NEXT_DATA__', path = '{path}' }}"
    toml = f"shape = false\nscript_json = [{source}]"

    assert warnings(page(script_json(NEXT_DATA)), toml) == [warning]


def test_a_page_without_any_source_the_profile_reads_says_what_was_looked_for():
    toml = (
        "var_dump = true\nscript_vars = ['related']\n"
        "script_json = [{ selector = 'script#__NEXT_DATA__', path = 'props.related' }]"
    )

    assert warnings(page("<p>No list here.</p>"), toml) == [
        "related_missing: no related list in the page (looked for a var_dump, script variable "
        "'related', script_json script#__NEXT_DATA__, an array of objects with 'id' and 'title')"
    ]


def test_a_script_json_element_without_the_list_is_not_a_list_found():
    toml = "shape = false\nscript_json = [{ selector = 'script#__NEXT_DATA__', path = 'x.y' }]"
    profile = profile_from_toml(f"[related]\n{toml}")

    related = extract_related(page(script_json(NEXT_DATA)), profile)

    assert (related.found, related.article_ids, related.complete) == (False, [], True)
