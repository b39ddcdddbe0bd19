"""Downloader middlewares of the project (enabled in settings.DOWNLOADER_MIDDLEWARES)."""
