"""Scrapy commands of this project (COMMANDS_MODULE).

`crawl`, checked before it starts; `seed`; and Scrapy's own tools (shell, parse, fetch,
view, bench), kept from the archive.
"""
