"""What `-a start=` and `-a base_url=` accept, and what they refuse."""

from __future__ import annotations

import pytest

from crawler.plan.seeds import SeedError, check_base_url, parse_id_ranges, parse_seeds

LIVE = "https://en.alalam.ir"


def test_an_id_is_a_seed(profile):
    assert parse_seeds("1851093", profile, LIVE).article_ids == ["1851093"]


def test_an_article_url_is_a_seed(profile):
    seeds = parse_seeds("https://en.alalam.ir/news/1851093/a-slug", profile, LIVE)

    assert seeds.article_ids == ["1851093"]


def test_a_comma_separated_list_keeps_its_order_without_repeats(profile):
    value = "1851093, https://en.alalam.ir/news/1808639 ,1851093,"

    assert parse_seeds(value, profile, LIVE).article_ids == ["1851093", "1808639"]


def test_a_url_on_another_host_is_refused(profile):
    with pytest.raises(SeedError, match="base_url"):
        parse_seeds("https://elsewhere.example/news/1", profile, LIVE)


def test_a_url_that_is_not_an_article_is_refused(profile):
    with pytest.raises(SeedError, match="not an article URL"):
        parse_seeds("https://en.alalam.ir/about", profile, LIVE)


def test_no_seed_is_refused(profile):
    with pytest.raises(SeedError, match="no seeds"):
        parse_seeds("", profile, LIVE)


def test_a_seed_that_is_neither_id_nor_url_is_refused(profile):
    with pytest.raises(SeedError):
        parse_seeds("18510x3", profile, LIVE)


def test_a_url_on_the_local_copy_is_accepted_with_its_base_url(profile):
    base = "http://127.0.0.1:8765"

    assert parse_seeds(f"{base}/news/1851093", profile, base).article_ids == ["1851093"]


def test_base_url_is_scheme_host_and_port_only():
    assert check_base_url("http://127.0.0.1:8000/") == "http://127.0.0.1:8000"
    with pytest.raises(SeedError):
        check_base_url("http://127.0.0.1:8000/news")
    with pytest.raises(SeedError):
        check_base_url("ftp://127.0.0.1")


def test_latest_means_the_profiles_discovery_sources(profile):
    seeds = parse_seeds("latest,1851093", profile, LIVE)

    assert seeds.latest
    assert seeds.article_ids == ["1851093"]


def test_id_ranges_are_inclusive_and_may_mix_with_single_ids():
    assert parse_id_ranges("1808000-1808002, 1851093") == [(1808000, 1808002), (1851093, 1851093)]


def test_ids_alone_are_enough_seeds(profile):
    seeds = parse_seeds(None, profile, LIVE, ids="10-12")

    assert list(seeds.range_ids()) == ["10", "11", "12"]


@pytest.mark.parametrize("value", ["12-10", "10-x", "abc"])
def test_a_malformed_id_range_is_refused(value):
    with pytest.raises(SeedError, match="ids"):
        parse_id_ranges(value)


def test_seeds_are_read_as_canonical_ids(profile):
    seeds = parse_seeds("0001851093,https://en.alalam.ir/news/01808639", profile, LIVE)

    assert seeds.article_ids == ["1851093", "1808639"]
