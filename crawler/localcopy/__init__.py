"""A local copy of the first site, for the demo, the tests and the benchmarks.

The live site is out of reach from our machines, so crawls run against this:
the real seed page at ``/news/1851093`` and generated pages in the same
layout for the ids it links to (and theirs), 404 for the ids it lacks.
"""
