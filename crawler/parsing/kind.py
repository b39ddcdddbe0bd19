"""Article kinds (ARTICLE-SCHEMA.md, rule 5)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crawler.sites.profile import SiteProfile

ARTICLE = "article"


def classify(title: str | None, media_url: str | None, profile: SiteProfile) -> str:
    """The title's prefix decides first; a video file as the media makes a video."""
    if title:
        for prefix, kind in profile.kind.title_prefixes:
            if title.startswith(prefix):
                return kind
    suffixes = profile.kind.video_media_suffixes
    if suffixes and media_url and media_url.lower().split("?", 1)[0].endswith(suffixes):
        return "video"
    return ARTICLE
