"""What pyproject.toml cannot say: which packages ship, and where one comes from.

The alembic migrations live at the top of the repository, where `alembic
upgrade head` finds them in a checkout (alembic.ini). Installed, they ship
inside the package as `crawler.migrations`, where the crawl finds them with
importlib.resources, in a wheel and in the egg scrapyd runs alike.

The local copy of the site (`crawler.localcopy`, with aiohttp, its only user)
is demo, test and benchmark machinery: it stays in the source tree, where
the Makefile installs its extra, and out of the wheel and the egg.
"""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["crawler", "crawler.*"], exclude=["crawler.localcopy*"]),
        "crawler.migrations",
        "crawler.migrations.versions",
    ],
    package_dir={"crawler.migrations": "migrations"},
)
