"""`news-archive captures ID --accept N`: a held capture made a version by hand.

The listing of an article's captures (`captures ID` alone) is the readers'
(crawler.cli's reading side); accepting one writes, so it lives here.
"""

from __future__ import annotations

import click

from crawler.cli.options import db_option, open_store


@click.command()
@db_option
@click.argument("article_id")
@click.option("--site", default="alalam_en", show_default=True, help="Site profile.")
@click.option(
    "--accept",
    "number",
    type=click.IntRange(min=1),
    required=True,
    metavar="N",
    help="Make held capture N (1 the oldest) a version of the article.",
)
def captures(db: str | None, article_id: str, site: str, number: int) -> None:
    """Accept a capture the quality gate held: it becomes a version of the article."""
    from crawler.archive.accept import NotAcceptable, accept_capture
    from crawler.sites import ProfileError, UnknownSiteError

    store = open_store(db, writer=True)
    try:
        outcome = accept_capture(store, site, article_id, number)
    except (NotAcceptable, UnknownSiteError, ProfileError) as error:
        raise click.ClickException(str(error)) from error
    article = outcome.article
    assert article is not None
    what = "the current version again" if outcome.status == "unchanged" else "a version"
    click.echo(f"capture {number} of {site}/{article_id} is {what}: version {article.version}")
