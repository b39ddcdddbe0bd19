"""A local copy of the first site, for the demo, the tests and the benchmarks.

The live site is out of reach from our machines, so crawls run against this:
the real seed page at ``/news/1851093`` and generated pages in the same
layout for the ids it links to (and theirs), 404 for the ids it lacks.

Beside it, what the tests and the benchmark both need to crawl it: the
command line of a crawl (`localcopy.crawls`) and a throwaway PostgreSQL
database to archive into (`localcopy.postgresql`).
"""

from __future__ import annotations

import json
import urllib.request


def publish(base_url: str, count: int) -> list[str]:
    """The ids of `count` new articles the copy at `base_url` (served with ``--admin``)
    publishes, as time publishes them on the live site."""
    request = urllib.request.Request(f"{base_url}/admin/publish?count={count}", method="POST")
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.loads(reply.read())
