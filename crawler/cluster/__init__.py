"""Several crawl processes, on one machine or many, sharing one frontier in Redis.

`addon` switches a run to the shared frontier when ARCHIVE_FRONTIER is set;
`scheduler` is scrapy-redis's scheduler and queue, adapted; `dupefilter` the
archive's duplicate filter with a seen-set shared by the run's workers;
`frontier` the bookkeeping in Redis (live workers, runs, seen-sets).
"""
