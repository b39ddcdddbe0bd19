"""`scrapy fetch`, which looks without archiving (see crawler.commands.lookonly)."""

from scrapy.commands.fetch import Command as ScrapyFetch

from crawler.commands.lookonly import LookOnly


class Command(LookOnly, ScrapyFetch):
    pass
