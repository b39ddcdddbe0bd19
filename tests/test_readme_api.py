"""The README's Python API example runs as written, so that it cannot rot.

It is taken from the README itself (the first ``python`` block of "Python API")
and run in a directory whose archive.sqlite3 a real crawl of the local copy
wrote, as `make demo` writes one in the checkout.
"""

from __future__ import annotations

import re

from localcopy.site import SEED_ID
from tests.conftest import ROOT, crawl


def readme_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Python API\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"^```python\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)
    assert match, "the README's Python API section has no python block"
    return match.group(1)


def test_the_readme_example_runs_against_a_crawled_archive(site_url, tmp_path, monkeypatch, capsys):
    done = crawl(f"sqlite:///{tmp_path / 'archive.sqlite3'}", start=SEED_ID, base_url=site_url)
    assert done.returncode == 0, done.log
    monkeypatch.chdir(tmp_path)
    names: dict[str, object] = {}

    exec(compile(readme_example(), "README.md (Python API)", "exec"), names)

    printed = capsys.readouterr().out
    assert "Iran, Russia Engaged in Strategic Cooperation" in printed
    seed = names["seed"]
    assert getattr(seed, "id", None) == SEED_ID
    frame = names["frame"]
    assert len(frame) > 0  # type: ignore[arg-type]
    assert set(frame.kind) == {"article"}  # type: ignore[attr-defined]
    assert int(names["per_day"].sum()) == len(frame)  # type: ignore[attr-defined, arg-type]
