"""Alembic environment: migrates the archive database.

The URL is, in order: one passed in by `python -m crawler db upgrade`,
`alembic -x db=URL`, the ARCHIVE_DB environment variable, then
sqlite:///archive.sqlite3, the same as a crawl uses.
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import context

from crawler.archive.database import create_archive_engine, database_url
from crawler.archive.models import Base

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata

# Full-text search differs by dialect and lives outside the models (see
# migration 0003); these names are not drift.
SEARCH_OBJECTS = {"search_vector", "ix_articles_search_vector"}


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    if type_ == "table" and name and name.startswith("articles_fts"):
        return False
    return name not in SEARCH_OBJECTS


def compare_type(
    context: object,
    inspected: object,
    metadata: object,
    inspected_type: object,
    metadata_type: object,
) -> bool | None:
    """SQLite enforces no VARCHAR length: a wider column in the models is no drift there."""
    dialect = getattr(getattr(context, "dialect", None), "name", None)
    if (
        dialect == "sqlite"
        and isinstance(inspected_type, sa.String)
        and isinstance(metadata_type, sa.String)
        and not isinstance(inspected_type, sa.Text)
        and not isinstance(metadata_type, sa.Text)
    ):
        return False
    return None  # alembic's own comparison


def _url() -> str:
    given = config.attributes.get("database_url")
    return given or database_url(context.get_x_argument(as_dictionary=True).get("db"))


def run_migrations_offline() -> None:
    url = _url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    given = config.attributes.get("connection")
    if given is not None:  # python -m crawler db upgrade, or the crawl's own check
        _migrate(given)
        return
    engine = create_archive_engine(_url())
    try:
        with engine.connect() as connection:
            _migrate(connection)
    finally:
        engine.dispose()


def _migrate(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        # Batch mode rebuilds a table under a temporary name and renames it back;
        # SQLite refuses that rename while a view (article_list) names the table,
        # unless renames leave views and triggers alone, as they did before 3.26.
        # On the driver's connection: through SQLAlchemy's, the pragma would begin a
        # transaction of its own, and alembic would then leave the migration uncommitted.
        connection.connection.driver_connection.execute("PRAGMA legacy_alter_table=ON")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=include_name,
        compare_type=compare_type,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
