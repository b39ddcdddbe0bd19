"""Datasette hooks."""
