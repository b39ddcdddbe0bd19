"""Browsing a SQLite archive in Datasette: its plugin and the metadata that opens it."""
