"""`show ID --raw [--capture N | --at TIME]`: a capture's page as it was fetched, decoded."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from crawler.archive.capture_reader import PayloadMissingError
from crawler.archive.captures_read import article_captures, captured_page, chosen
from crawler.cli import output as out
from crawler.parsing.content_encoding import UnknownContentEncodingError, decoded_body
from crawler.parsing.decode import served_text

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.engine import Engine


def show_capture(
    engine: Engine,
    site: str,
    article_id: str,
    *,
    number: int | None = None,
    at: datetime | None = None,
) -> None:
    """Print the chosen capture's page (the last one unless told).

    Piped, the page's bytes with ``Content-Encoding`` undone (what the parser
    read); on a terminal, its text in the charset it was read with.
    """
    captures = article_captures(engine, site, article_id)
    name = f"{site}/{article_id}"
    if not captures:
        raise click.ClickException(f"no page of {name} was ever fetched")
    which = chosen(captures, number=number, at=at)
    if which is None and number is not None:
        raise click.ClickException(f"{name} has {len(captures)} captures: no capture {number}")
    if which is None:
        first = captures[0].fetched_at.isoformat()
        raise click.ClickException(f"no capture of {name} at or before {at}: the first is {first}")
    try:
        page = captured_page(engine, captures, which)
        body = decoded_body(page.body, page.response_headers)
    except (PayloadMissingError, UnknownContentEncodingError) as error:
        raise click.ClickException(f"capture {which.number} of {name}: {error}") from None
    if which.payload_digest is None and page.body_from is None:
        raise click.ClickException(
            f"capture {which.number} of {name} is a {which.http_status} with no body,"
            " and names no kept capture it confirmed"
        )
    if page.body_from is not None:
        click.echo(
            f"capture {which.number} is a {which.http_status} with no body of its own:"
            f" the page of capture {page.body_from}, which it confirmed",
            err=True,
        )
    if sys.stdout.isatty():
        content_type = next(
            (v for k, v in page.response_headers if k.lower() == "content-type"), None
        )
        out.say(served_text(body, page.encoding, content_type).replace("\r\n", "\n"))
        return
    sys.stdout.buffer.write(body)
    sys.stdout.buffer.flush()
