"""The tool as users install it: a wheel in a fresh virtualenv, a checkout deployed to scrapyd.

One virtualenv serves the module: the wheel is built once from a copy of the
checkout and installed with scrapyd and scrapyd-client beside it, from the
pinned versions (requirements.lock). The crawls run the installed
`news-archive` command from an empty directory, against the local copy this
test process serves.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from localcopy.crawls import LOCAL_COPY_SETTINGS
from localcopy.site import SEED_ID
from tests.archive_db import archived_ids, runs
from tests.conftest import ROOT

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from localcopy.site import LocalSite

TIMEOUT = 180
# What a checkout holds that a user's would not: caches, builds, local archives.
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.egg-info", "build", "dist", ".*_cache", "logs",
    "archive.sqlite3*", "results",
)  # fmt: skip


@dataclass
class ToolVenv:
    """A fresh virtualenv with the built wheel, scrapyd and scrapyd-client."""

    path: Path
    wheel: Path

    def bin(self, name: str) -> str:
        return str(self.path / "bin" / name)

    def pip(self, *args: str) -> None:
        command = [sys.executable, "-m", "pip", "--python", self.bin("python"), *args]
        subprocess.run(command, check=True, capture_output=True, timeout=600)

    def site_packages(self) -> Path:
        [site] = self.path.glob("lib/python*/site-packages")
        return site

    def installed(self) -> bool:
        return (self.site_packages() / "crawler").exists()

    def with_wheel(self) -> ToolVenv:
        if not self.installed():
            self.pip("install", "--no-deps", "--no-compile", str(self.wheel))
        return self

    def without_wheel(self) -> ToolVenv:
        """scrapyd runs the deployed egg's code, which an installed package would shadow."""
        if self.installed():
            self.pip("uninstall", "--yes", "news-archive")
        return self

    def run(self, *args: str, cwd: Path, env: dict[str, str] | None = None) -> Any:
        return subprocess.run(
            [self.bin(args[0]), *args[1:]],
            cwd=cwd,
            env=env or _clean_env(),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )


def _clean_env(**extra: str) -> dict[str, str]:
    """A user's environment: nothing pointing at the checkout, its venv or its archive.

    Python writes its bytecode as usual (the first command compiles what the
    next ones load).
    """
    unset = ("PYTHONPATH", "ARCHIVE_DB", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")
    return {**{k: v for k, v in os.environ.items() if k not in unset}, **extra}


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the checkout: building and deploying leave the repository as it was."""
    target = tmp_path_factory.mktemp("checkout") / "news-archive-crawler"
    shutil.copytree(ROOT, target, ignore=NOT_COPIED)
    return target


@pytest.fixture(scope="module")
def tool(checkout: Path, tmp_path_factory: pytest.TempPathFactory) -> ToolVenv:
    work = tmp_path_factory.mktemp("tool")
    # The build needs no isolation: the project's venv has the setuptools it asks for.
    build = ["wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", str(work / "dist")]
    subprocess.run(
        [sys.executable, "-m", "pip", *build, str(checkout)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    [wheel] = (work / "dist").glob("news_archive-*.whl")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(work / "venv")], check=True)
    venv = ToolVenv(work / "venv", wheel)
    venv.pip(
        "install",
        "--no-compile",
        "--constraint",
        str(ROOT / "requirements.lock"),
        str(wheel),
        "scrapyd",
        "scrapyd-client",
        "setuptools",
    )
    return venv


def test_the_wheel_ships_the_migrations_and_site_data_not_the_local_copy(tool):
    names = zipfile.ZipFile(tool.wheel).namelist()

    migrations = sorted(p.name for p in (ROOT / "migrations" / "versions").glob("*.py"))
    shipped = sorted(n.rsplit("/", 1)[1] for n in names if n.startswith("crawler/migrations/ver"))
    assert shipped == migrations
    assert "crawler/migrations/env.py" in names
    site_data = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "crawler" / "sites").rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc")
    }
    assert site_data
    assert site_data <= set(names)
    api = sorted(p.name for p in (ROOT / "news_archive").glob("*.py"))
    assert sorted(n.rsplit("/", 1)[1] for n in names if n.startswith("news_archive/")) == api
    assert not [n for n in names if n.startswith("localcopy")]
    assert not [n for n in names if n.endswith(".pyc")]
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "settings = crawler.settings" in zipfile.ZipFile(tool.wheel).read(entry_points).decode()


@pytest.fixture(params=["sqlite", "postgresql"])
def archive(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Path, str, dict]]:
    """An empty directory to run in, the archive's URL, and the environment naming it.

    On SQLite the archive is the default one, archive.sqlite3 in that directory.
    """
    empty = tmp_path / "anywhere"
    empty.mkdir()
    if request.param == "sqlite":
        yield empty, f"sqlite:///{empty / 'archive.sqlite3'}", _clean_env()
    else:
        url = request.getfixturevalue("empty_postgresql_url")
        yield empty, url, _clean_env(ARCHIVE_DB=url)


def test_news_archive_crawls_then_queries_from_an_empty_directory(
    tool, archive, local_site: LocalSite, site_url: str
):
    where, url, env = archive
    settings = [arg for setting in LOCAL_COPY_SETTINGS for arg in ("-s", setting)]
    crawl = ("news-archive", "crawl", "-a", f"start={SEED_ID}", "-a", f"base_url={site_url}")
    tool.with_wheel()

    first = tool.run(*crawl, *settings, cwd=where, env=env)
    again = tool.run(*crawl, *settings, cwd=where, env=env)  # an existing archive
    stats = tool.run("news-archive", "stats", "--json", cwd=where, env=env)
    search = tool.run("news-archive", "search", "Hamedan", "--json", cwd=where, env=env)
    others = [
        tool.run("news-archive", *command, cwd=where, env=env)
        for command in (("export", "--format", "csv", "-o", "archive.csv"), ("db", "upgrade"))
    ]
    api = tool.run("python", "-c", API_SCRIPT, cwd=where, env=env)

    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Run 1 finished"), first.stdout
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("Run 2 finished"), again.stdout
    assert ": 1 pages archived, 0 new," in again.stdout  # the seed, fetched again
    assert archived_ids(url) == local_site.reachable()
    assert json.loads(stats.stdout)["articles"] == local_site.pages
    assert SEED_ID in [json.loads(line)["article_id"] for line in search.stdout.splitlines()]
    assert [done.returncode for done in others] == [0] * len(others), [d.stderr for d in others]
    assert "is up to date" in others[-1].stdout
    assert (where / "archive.sqlite3").exists() == url.startswith("sqlite")
    assert api.returncode == 0, api.stderr
    read = json.loads(api.stdout)
    assert read["module"].startswith(str(tool.site_packages())), read  # the wheel's, not ours
    assert (read["seed"], read["articles"]) == (SEED_ID, local_site.pages)
    assert "pip install pandas" in read["without_pandas"]


# The Python API as a user of the wheel runs it (no pandas there: it is an extra).
API_SCRIPT = f"""
import json, news_archive
with news_archive.open() as archive:  # $ARCHIVE_DB, else archive.sqlite3 here
    seed = archive.article({SEED_ID!r})
    try:
        archive.articles(limit=1).to_dataframe()
        without_pandas = ""
    except ImportError as error:
        without_pandas = str(error)
    print(json.dumps({{
        "module": news_archive.__file__,
        "seed": seed.id,
        "articles": sum(1 for _ in archive.articles()),
        "without_pandas": without_pandas,
    }}))
"""


def test_the_installed_cron_wrapper_logs_a_run_and_stays_silent_when_it_finished(
    tool, local_site: LocalSite, site_url: str, tmp_path: Path
):
    where = tmp_path / "anywhere"
    where.mkdir()
    settings = [arg for setting in LOCAL_COPY_SETTINGS for arg in ("-s", setting)]
    tool.with_wheel()

    done = tool.run("news-archive", "cron", "-a", f"base_url={site_url}", *settings, cwd=where)

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == ""  # cron mails nothing
    [log] = (where / "logs").glob("crawl-*.log")
    assert "] INFO: Run 1 finished in " in log.read_text().splitlines()[-1]
    [line] = (where / "logs" / "summary.log").read_text().splitlines()
    assert " exit=0 Run 1 finished in " in line
    assert archived_ids(f"sqlite:///{where / 'archive.sqlite3'}")  # what the feeds announce


def test_news_archive_names_its_version_and_its_commands(tool, tmp_path):
    tool.with_wheel()

    version = tool.run("news-archive", "--version", cwd=tmp_path)
    usage = tool.run("news-archive", "-h", cwd=tmp_path)

    assert version.stdout.split() == ["news-archive", tool.wheel.name.split("-")[1]]
    for command in ("crawl", "cron", "search", "show", "stats", "export", "history", "db"):
        assert f"  {command} " in usage.stdout


# -- scrapyd --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Scrapyd:
    url: str
    directory: Path

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(f"{self.url}/{path}", timeout=10) as reply:
            body = reply.read().decode()
        return json.loads(body) if path.endswith(".json") or ".json?" in path else body

    def schedule(self, *, settings: dict[str, str], **arguments: str) -> str:
        form = [("project", "news-archive"), ("spider", "related"), *arguments.items()]
        form += [("setting", f"{name}={value}") for name, value in settings.items()]
        data = urllib.parse.urlencode(form).encode()
        with urllib.request.urlopen(f"{self.url}/schedule.json", data=data, timeout=10) as reply:
            answer = json.loads(reply.read())
        assert answer["status"] == "ok", answer
        return answer["jobid"]

    def wait_finished(self, job_ids: set[str]) -> dict[str, dict[str, Any]]:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            finished = {
                j["id"]: j for j in self.get("listjobs.json?project=news-archive")["finished"]
            }
            if job_ids <= set(finished):
                return finished
            time.sleep(0.5)
        raise AssertionError(f"scrapyd jobs {job_ids} did not finish: {self.log()}")

    def log(self) -> str:
        return (self.directory / "scrapyd.log").read_text()


@pytest.fixture
def scrapyd(tool: ToolVenv, tmp_path: Path) -> Iterator[Scrapyd]:
    """A stock scrapyd 1.6 on 127.0.0.1, in the tool's virtualenv, without the project."""
    tool.without_wheel()
    port = _free_port()
    (tmp_path / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\n"
        "poll_interval = 0.2\nmax_proc = 2\n"
    )
    with (tmp_path / "scrapyd.log").open("w") as log:
        process = subprocess.Popen(
            [tool.bin("scrapyd")], cwd=tmp_path, env=_clean_env(), stdout=log, stderr=log
        )
    server = Scrapyd(f"http://127.0.0.1:{port}", tmp_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                server.get("daemonstatus.json")
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError(f"scrapyd did not start: {server.log()}") from None
                time.sleep(0.2)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)


def test_a_checkout_deploys_to_scrapyd_whose_jobs_archive_or_fail_visibly(
    tool, checkout, scrapyd, local_site: LocalSite, site_url: str, tmp_path: Path
):
    # The user's own scrapy.cfg (~/.config/scrapy.cfg) names the server; the
    # checkout's [deploy] gives the project.
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "scrapy.cfg").write_text(f"[deploy:test]\nurl = {scrapyd.url}/\n")
    deploy = tool.run(
        "scrapyd-deploy",
        "test",
        cwd=checkout,
        env=_clean_env(XDG_CONFIG_HOME=str(tmp_path / "config")),
    )
    assert deploy.returncode == 0, deploy.stderr
    assert json.loads(deploy.stdout)["status"] == "ok", deploy.stdout

    url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    settings = {"ARCHIVE_DB": url, **dict(s.split("=", 1) for s in LOCAL_COPY_SETTINGS)}
    good = scrapyd.schedule(start=SEED_ID, base_url=site_url, settings=settings)
    typo = scrapyd.schedule(**{"start": SEED_ID, "base-url": site_url}, settings=settings)
    finished = scrapyd.wait_finished({good, typo})

    assert archived_ids(url) == local_site.reachable()
    assert [run.status for run in runs(url)] == ["finished"]
    good_log = scrapyd.get(finished[good]["log_url"].lstrip("/"))
    assert "] INFO: Run 1 finished in " in good_log.splitlines()[-1]  # the job log's last line
    typo_log = scrapyd.get(finished[typo]["log_url"].lstrip("/"))
    assert "The crawl did not start: the related spider has no argument 'base-url'" in typo_log
    assert f"Process died: exitstatus=2 project='news-archive' spider='related' job='{typo}'" in (
        scrapyd.log()
    )
