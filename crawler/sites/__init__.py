"""Site profiles, by name."""

from __future__ import annotations

from crawler.sites import alalam_en
from crawler.sites.profile import SiteProfile, canonical_id, is_article_id

PROFILES: dict[str, SiteProfile] = {profile.name: profile for profile in (alalam_en.PROFILE,)}


class UnknownSiteError(LookupError):
    pass


def get_profile(name: str) -> SiteProfile:
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise UnknownSiteError(f"no site profile named {name!r} (known: {known})") from None


__all__ = [
    "PROFILES",
    "SiteProfile",
    "UnknownSiteError",
    "canonical_id",
    "get_profile",
    "is_article_id",
]
