"""A redesign that the fallbacks survive is still reported: layout drift degrades the run."""

from __future__ import annotations

from localcopy.site import SEED_ID
from tests import archive_db
from tests.conftest import crawl


def test_titles_suddenly_read_by_fallback_degrade_the_run_while_every_page_is_archived(
    sqlite_url, local_site, site_url
):
    healthy = crawl(sqlite_url, start=SEED_ID, base_url=site_url)
    assert healthy.returncode == 0, healthy.log
    local_site.rewrite = lambda html: html.replace('class="news-title"', 'class="headline"')

    redesigned = crawl(
        sqlite_url, start=SEED_ID, base_url=site_url, settings=("ARCHIVE_INCREMENTAL=False",)
    )

    assert redesigned.returncode == 3, redesigned.log
    record = archive_db.runs(sqlite_url)[-1]
    assert record.status == "degraded"
    assert record.message.startswith("layout drift")
    assert "rules: title " in record.message  # the seed page is served as it was, all else not
    assert record.coverage["rules/title"] < 0.05
    assert record.coverage["title"] == 1.0  # every page still archived, with its title
    assert record.pages_fetched == archive_db.runs(sqlite_url)[0].pages_fetched
