"""Site profiles written inline in tests, read exactly as a file would be."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

from crawler.sites.loader import profile_from_data

if TYPE_CHECKING:
    from crawler.sites.profile import SiteProfile

HEAD = """
name = "test_site"
base_url = "https://news.test"
time_zone = "Europe/London"
[article]
url = "/news/{id}"
id_pattern = '^/news/([^/]+)$'
"""


def profile_from_toml(text: str, *, head: str = HEAD) -> SiteProfile:
    return profile_from_data(tomllib.loads(head + text), source=Path("test_site.toml"))
