"""A package's data files as a directory on disk, wherever the package was installed from.

Installed from a wheel or run from a checkout, a package's files are files
already. scrapyd runs a project from its egg, a zip file, where tools that
read directories (alembic's script directory, the site profiles with their
saved test pages) cannot look: there the package is copied out to a
temporary directory, once a process.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable


@functools.cache
def package_directory(package: str) -> Path:
    """The directory of `package` (raises ModuleNotFoundError if it is not installed)."""
    files = resources.files(package)
    if isinstance(files, Path):
        return files
    directory = Path(tempfile.mkdtemp(prefix=f"news-archive-{package.replace('.', '-')}-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    _copy_tree(files, directory)
    return directory


def _copy_tree(source: Traversable, target: Path) -> None:
    for entry in source.iterdir():
        if entry.is_dir():
            if entry.name != "__pycache__":
                (target / entry.name).mkdir()
                _copy_tree(entry, target / entry.name)
        else:
            (target / entry.name).write_bytes(entry.read_bytes())
