"""Scrapy commands of this project (COMMANDS_MODULE): `crawl`, checked before it starts."""
