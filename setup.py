"""What pyproject.toml cannot say: which packages ship, and where one comes from.

The alembic migrations live at the top of the repository, where `alembic
upgrade head` finds them in a checkout (alembic.ini). Installed, they ship
inside the package as `crawler.migrations`, where the crawl finds them with
importlib.resources, in a wheel and in the egg scrapyd runs alike.

The local copy of the site (`localcopy/`, with aiohttp, its only user) is
demo, test and benchmark machinery beside the package, not in it: only
`crawler` and its subpackages ship, in the wheel and the egg alike.
"""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["crawler", "crawler.*"]),
        "crawler.migrations",
        "crawler.migrations.versions",
    ],
    package_dir={"crawler.migrations": "migrations"},
)
