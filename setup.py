"""What pyproject.toml cannot say: which packages ship, and where one comes from.

The alembic migrations live at the top of the repository, where `alembic
upgrade head` finds them in a checkout (alembic.ini). Installed, they ship
inside the package as `crawler.migrations`, where the crawl finds them with
importlib.resources, in a wheel and in the egg scrapyd runs alike.

The local copy of the site (`localcopy/`, with aiohttp, its only user) is
demo, test and benchmark machinery beside the package, not in it: only
`crawler` and its subpackages ship, in the wheel and the egg alike, with
`news_archive`, the Python API (a top-level package of its own, so that its
import name is the distribution's and not `crawler`, which is taken on PyPI).
"""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["crawler", "crawler.*", "news_archive", "news_archive.*"]),
        "crawler.migrations",
        "crawler.migrations.versions",
    ],
    package_dir={"crawler.migrations": "migrations"},
)
