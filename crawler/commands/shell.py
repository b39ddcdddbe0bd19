"""`scrapy shell`, which looks without archiving (see crawler.commands.lookonly)."""

from scrapy.commands.shell import Command as ScrapyShell

from crawler.commands.lookonly import LookOnly


class Command(LookOnly, ScrapyShell):
    pass
