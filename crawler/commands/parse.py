"""`scrapy parse`, which looks without archiving (see crawler.commands.lookonly)."""

from scrapy.commands.parse import Command as ScrapyParse

from crawler.commands.lookonly import LookOnly


class Command(LookOnly, ScrapyParse):
    pass
