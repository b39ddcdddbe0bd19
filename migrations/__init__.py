"""The archive's alembic migrations, shipped inside the package as `crawler.migrations`."""
