"""`scrapy view`, which looks without archiving (see crawler.commands.lookonly)."""

from scrapy.commands.view import Command as ScrapyView

from crawler.commands.lookonly import LookOnly


class Command(LookOnly, ScrapyView):
    pass
