"""The related spider's arguments are declared once: checks, hints and the README follow."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.spiders.arguments import RelatedArguments, UnknownArgumentError

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_lists_the_declared_arguments_as_declared():
    assert RelatedArguments.readme_table() in README.read_text(encoding="utf-8")


def test_a_misspelt_argument_is_refused_naming_the_one_meant():
    with pytest.raises(UnknownArgumentError, match=r"'base-url' \(did you mean base_url\?\)"):
        RelatedArguments.from_kwargs({"start": "1851093", "base-url": "http://127.0.0.1:1"})


def test_scrapyds_own_arguments_pass_unread():
    given = RelatedArguments.from_kwargs({"start": "1851093", "_job": "abc", "_version": "1"})
    assert given.given() == {"start": "1851093"}


def test_the_run_records_the_arguments_given_and_the_site_as_resolved():
    resolved = RelatedArguments(start="1851093").resolve()
    assert resolved.recorded() == {"start": "1851093", "site": "alalam_en"}
    assert resolved.base_url == "https://en.alalam.ir"
    assert resolved.seeds.article_ids == ["1851093"]
