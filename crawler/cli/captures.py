"""`news-archive captures ID`: every fetch of an article kept, and what the archive made of it."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import click

from crawler.archive.captures_read import article_captures
from crawler.cli import output as out
from crawler.cli.options import (
    article_site,
    article_site_option,
    db_option,
    json_option,
    open_store,
)

if TYPE_CHECKING:
    from crawler.archive.store import ArchiveStore


@click.command()
@db_option
@click.argument("article_id")
@article_site_option
@json_option
@click.option(
    "--accept",
    "number",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Make held capture N (as listed) a version of the article, by hand.",
)
def captures(
    db: str | None,
    article_id: str,
    site: str | None,
    as_json: bool | None,
    number: int | None,
) -> None:
    """Every capture of an article, oldest first: when, status, payload, outcome, version.

    \b
    outcome  new           the article's first version
             version       a new version of its text
             unchanged     the same text again
             not_modified  a 304: the server confirmed the version
             held          kept, but not made a version (reason says why)
             dropped       the page gave no article
    The number in the first column is N for `show ID --raw --capture N` and
    for `--accept N`, which makes a held capture a version (a retraction notice
    that really replaced an article is news).
    """
    store = open_store(db, writer=number is not None)
    site = article_site(store, site, article_id)
    if number is not None:
        _accept(store, article_id, site, number)
        return
    found = article_captures(store.engine, site, article_id)
    if not found:
        raise click.ClickException(f"no capture of {site}/{article_id} is in the archive")
    if out.wants_json(as_json):
        for capture in found:
            out.emit_json({"site": site, "article_id": article_id, **dataclasses.asdict(capture)})
        return
    out.heading(site, article_id, len(found), "capture")
    out.table(
        ["#", "fetched", "status", "outcome", "version", "size", "payload", "reason"],
        [
            [
                c.number,
                out.local_time(c.fetched_at, site),
                c.http_status,
                c.outcome,
                c.version,
                c.size,
                c.payload_digest,
                c.reason,
            ]
            for c in found
        ],
    )


def _accept(store: ArchiveStore, article_id: str, site: str, number: int) -> None:
    from crawler.archive.accept import NotAcceptable, accept_capture
    from crawler.sites import ProfileError, UnknownSiteError

    try:
        outcome = accept_capture(store, site, article_id, number)
    except (NotAcceptable, UnknownSiteError, ProfileError) as error:
        raise click.ClickException(str(error)) from error
    article = outcome.article
    assert article is not None
    what = "the current version again" if outcome.status == "unchanged" else "a version"
    out.say(f"capture {number} of {site}/{article_id} is {what}: version {article.version}")
