"""`news-archive cron`: one scheduled run, logged, and silent unless it needs a look.

What cron mails is what a command prints, so a run that finished prints nothing;
any other prints a few lines, the first saying why:

    news archive crawl degraded (exit 3): site unreachable: connection refused on 3 of 3 fetches
    Run 12 degraded in 0m01s: 0 pages archived, ... - site unreachable: connection refused on ...
    log: /srv/news-archive/logs/crawl-20261124T131700Z.log

Each run writes its own log (``crawl-<UTC time>.log``: Scrapy's log, then the
crawl's stderr) and one line a run (with ``--all``, a site) to ``summary.log``;
crawl logs older than ``--keep-days`` are removed as each run ends.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import click

from crawler.clock import utc_now

OUTCOMES = {1: "failed", 2: "cannot start", 3: "degraded", 4: "locked", 5: "interrupted"}
EXIT_CANNOT_START = 2


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.option(
    "--log-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="logs",
    show_default=True,
    envvar="ARCHIVE_LOG_DIR",
    help="Where the logs go (or $ARCHIVE_LOG_DIR): crawl-<UTC time>.log a run, summary.log.",
)
@click.option(
    "--keep-days",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="Crawl logs older than this many days are removed.",
)
@click.option(
    "--all", "every_site", is_flag=True, help="Run `crawl --all`: every site that is due."
)
@click.argument("crawl_options", nargs=-1, type=click.UNPROCESSED, metavar="[-a ... | -s ...]...")
def cron(log_dir: Path, keep_days: int, every_site: bool, crawl_options: tuple[str, ...]) -> None:
    """One scheduled crawl, for cron: `crawl -a start=latest` (or `crawl --all`), logged.

    \b
    17 * * * *  cd /srv/news-archive && news-archive cron
    */10 * * * *  cd /srv/news-archive && news-archive cron --all

    Prints nothing when the run finished; otherwise why, the summary line and the
    log's path. Exits with the crawl's code (see `news-archive crawl -h`).
    """
    now = utc_now()
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        _report(EXIT_CANNOT_START, f"cannot create the log directory {log_dir}: {error}", [])
    log = (log_dir / f"crawl-{now:%Y%m%dT%H%M%SZ}.log").resolve()
    first = ["--all"] if every_site else ["-a", "start=latest"]
    command = [sys.executable, "-m", "crawler", "crawl", *first, *crawl_options]
    done = subprocess.run(
        [*command, "-s", f"LOG_FILE={log}"], capture_output=True, text=True, check=False
    )
    lines = done.stdout.strip().splitlines()
    errors = done.stderr
    if errors:
        with log.open("a", encoding="utf-8") as file:
            file.write(errors if errors.endswith("\n") else errors + "\n")
    reason = run_reason(lines, errors)
    stamp = f"{now:%Y%m%dT%H%M%SZ} exit={done.returncode}"
    with (log_dir / "summary.log").open("a", encoding="utf-8") as summary:
        for line in lines or [f"no summary: {reason}"]:
            summary.write(f"{stamp} {line}\n")
    for old in old_logs(log_dir, now, timedelta(days=keep_days)):
        old.unlink(missing_ok=True)
    if done.returncode != 0:
        _report(done.returncode, reason, [*lines, f"log: {log}"])


def run_reason(lines: list[str], errors: str) -> str:
    """Why a run did not finish: what a summary line ends with (after " - "), else the
    crawl's last "Error: " line (it could not start), else its last word on stderr."""
    for line in lines:
        if " - " in line:
            return line.split(" - ", 1)[1]
    for line in lines:
        if ": did not start" in line:  # a site of --all
            return line
    if lines:
        return lines[0]
    said = [line for line in errors.splitlines() if line.strip()]
    refused = [line.removeprefix("Error: ") for line in said if line.startswith("Error: ")]
    if refused:
        return refused[-1]
    return said[-1] if said else "no summary, see the log"


def old_logs(log_dir: Path, now: datetime, keep: timedelta) -> list[Path]:
    """The crawl logs last written before `now - keep`."""
    cutoff = (now - keep).timestamp()
    return [path for path in log_dir.glob("crawl-*.log") if path.stat().st_mtime < cutoff]


def _report(status: int, reason: str, details: list[str]) -> None:
    click.echo(f"news archive crawl {OUTCOMES.get(status, 'failed')} (exit {status}): {reason}")
    for line in details:
        click.echo(line)
    sys.exit(status)
