"""`news-archive sites`: the sites an archive holds."""

from __future__ import annotations

import click

from crawler.archive.sites import site_summaries
from crawler.cli import output as out
from crawler.cli.options import db_option, json_option, open_store


@click.command()
@db_option
@json_option
def sites(db: str | None, as_json: bool | None) -> None:
    """The archive's sites: articles, last run (time and status), the profile it named."""
    summaries = site_summaries(open_store(db).engine)
    if out.wants_json(as_json):
        for summary in summaries:
            out.emit_json(
                {
                    "site": summary.site,
                    "articles": summary.articles,
                    "last_run": (
                        {"time": summary.last_run_time, "status": summary.last_run_status}
                        if summary.last_run_time is not None
                        else None
                    ),
                    "profile": summary.profile,
                    "profile_sha256": summary.profile_sha256,
                }
            )
        return
    if not summaries:
        click.echo("the archive holds no site yet")
        return
    out.table(
        ["site", "articles", "last run", "status", "profile"],
        [
            [
                s.site,
                s.articles,
                out.local_time(s.last_run_time, s.site),
                s.last_run_status,
                s.profile,
            ]
            for s in summaries
        ],
    )
