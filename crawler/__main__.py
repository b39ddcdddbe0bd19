"""python -m crawler: the archive's command line (see crawler.cli)."""

from crawler.cli import main

main()
