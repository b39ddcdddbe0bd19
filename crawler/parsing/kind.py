"""Article kinds (ARTICLE-SCHEMA.md, rule 5)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crawler.sites.profile import SiteProfile

ARTICLE = "article"


def classify(title: str | None, media_url: str | None, profile: SiteProfile) -> str:
    """The title's prefix decides first; a video file as the media makes a video."""
    if title:
        for prefix, kind in profile.kind_prefixes:
            if title.startswith(prefix):
                return kind
    if media_url and media_url.lower().split("?", 1)[0].endswith(profile.video_suffixes):
        return "video"
    return ARTICLE
