"""What a run fetches, decided before any request is made: the seeds it was given, the
archive's schedule (revisits due, ids left by earlier runs), the seen-set, the frontier
on disk, the duplicate filter that applies the plan, and why a page was not archived."""
