"""Site profiles, by name: the built-in files beside this module, and the user's own.

A user adds or overrides sites with a directory of profile files
(``ARCHIVE_SITES_DIR``, a setting and an environment variable, where
``NAME.toml`` is the site ``NAME``) or names one file (``-a profile=FILE``).
A site in the directory wins over a built-in one of the same name.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from crawler.sites.loader import ProfileError, load_profile
from crawler.sites.package_data import package_directory
from crawler.sites.profile import SiteProfile

SITES_DIR_VARIABLE = "ARCHIVE_SITES_DIR"


class UnknownSiteError(LookupError):
    pass


def sites_dir(setting: str | None = None) -> Path | None:
    """The user's profile directory: the setting, else the environment variable, else none."""
    value = setting or os.environ.get(SITES_DIR_VARIABLE)
    return Path(value) if value else None


def builtin_directory() -> Path:
    """The built-in profiles (a directory on disk, even when run from scrapyd's zipped egg)."""
    return package_directory(__name__)


def builtin_names() -> list[str]:
    return sorted(path.stem for path in builtin_directory().glob("*.toml"))


def known_names(directory: str | Path | None = None) -> list[str]:
    names = set(builtin_names())
    folder = sites_dir(str(directory) if directory else None)
    if folder is not None and folder.is_dir():
        names.update(path.stem for path in folder.glob("*.toml"))
    return sorted(names)


def get_profile(name: str, directory: str | Path | None = None) -> SiteProfile:
    """The profile named `name`: from the user's directory first, then the built-in ones."""
    path = profile_path(name, directory)
    if path is None:
        known = ", ".join(known_names(directory))
        raise UnknownSiteError(f"no site profile named {name!r} (known: {known})")
    profile = _cached(path.resolve())
    if profile.name != name:
        raise ProfileError(
            str(path), "name", f"{profile.name!r} differs from the file's name {name!r}"
        )
    return profile


def profile_path(name: str, directory: str | Path | None = None) -> Path | None:
    """Where the profile named `name` is read: the user's directory first, then the built-in
    ones; None if neither has it."""
    folder = sites_dir(str(directory) if directory else None)
    candidates = [folder / f"{name}.toml"] if folder is not None else []
    candidates.append(builtin_directory() / f"{name}.toml")
    if folder is not None and not folder.is_dir():
        raise ProfileError(str(folder), "", f"{SITES_DIR_VARIABLE} is not a directory")
    if "/" in name:
        return None
    return next((path for path in candidates if path.is_file()), None)


def resolve_profile(
    site: str | None = None,
    profile: str | None = None,
    directory: str | Path | None = None,
    *,
    default: str = "alalam_en",
) -> SiteProfile:
    """What ``-a site=NAME`` and ``-a profile=FILE`` name together (neither: `default`)."""
    if profile is None:
        return get_profile(site or default, directory)
    loaded = _cached(Path(profile))
    if site is not None and site != loaded.name:
        raise ProfileError(profile, "name", f"{loaded.name!r} but the crawl names site {site!r}")
    return loaded


def _cached(path: Path) -> SiteProfile:
    """`load_profile(path)`, read and checked again only when the file changes."""
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return load_profile(path)  # which says, naming the file, why it cannot be read
    return _load(path, path.resolve(), mtime)


@lru_cache(maxsize=64)
def _load(path: Path, _real: Path, _mtime: int) -> SiteProfile:
    # Keyed by the file's real path too: a relative path names another file from another directory.
    return load_profile(path)


__all__ = [
    "ProfileError",
    "SiteProfile",
    "UnknownSiteError",
    "get_profile",
    "load_profile",
    "resolve_profile",
]
