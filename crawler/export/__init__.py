"""Writing the archive out: article records and the related-article graph."""
