"""Pure functions from a fetched page to the archive's record.

Nothing here touches the network, the database or Scrapy's machinery, so every
rule can be tested on saved HTML alone.
"""
