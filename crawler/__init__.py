"""News archive crawler: a Scrapy project that keeps a faithful archive of a news site."""
