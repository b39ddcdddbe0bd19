# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_PORT ?= 8765
DEMO_PAGES ?= 250
DEMO_DB ?= sqlite:///archive.sqlite3

.PHONY: setup demo test bench lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml setup.py requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev,parquet,pandas,wacz,localcopy,deploy,datasette]'
	touch $(STAMP)

# Serve the bundled local copy of the site, crawl it from the seed article into
# SQLite; then the site publishes five articles and the hourly run finds them in
# its feed, sitemaps and listing. Stop the server and print what was archived.
DEMO_CRAWL = ARCHIVE_DB=$(DEMO_DB) $(BIN)/scrapy crawl related \
	-a base_url=http://127.0.0.1:$(DEMO_PORT) -s AUTOTHROTTLE_ENABLED=False \
	-s DOWNLOAD_DELAY=0 -s CONCURRENT_REQUESTS_PER_DOMAIN=16 -s LOG_LEVEL=WARNING
demo: setup
	@set -e; \
	$(BIN)/python -m localcopy --port $(DEMO_PORT) --pages $(DEMO_PAGES) --admin & server=$$!; \
	trap 'kill $$server 2>/dev/null' EXIT; \
	$(BIN)/python -m localcopy --wait http://127.0.0.1:$(DEMO_PORT)/; \
	$(DEMO_CRAWL) -a start=1851093; \
	$(BIN)/python -m localcopy --publish 5 http://127.0.0.1:$(DEMO_PORT); \
	$(DEMO_CRAWL) -a start=latest; \
	echo; echo "Archived into $(DEMO_DB):"; \
	$(BIN)/news-archive stats --human --runs 3 --db $(DEMO_DB)

# Most tests wait on real crawls, servers and databases rather than the CPU:
# three pytest workers (pytest-xdist) halve the wall time on two cores. Each test
# goes to the next free worker (loadgroup), so no long module is left to one
# worker at the end; a module whose tests share a module fixture stays on one
# worker; the costliest units start first (tests/scheduling.py).
# TEST_WORKERS=0 runs them in one process.
TEST_WORKERS ?= 3
test: setup lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

# Not a test: crawls of the local copy and the archive's commands, measured
# (about ten minutes); prints a table, writes bench/results/<time>.json and
# latest.json (not tracked). BENCH_ARGS="--pages 2000 --big-pages 10000" for a quick look.
bench: setup
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: setup
	$(BIN)/ruff check crawler news_archive localcopy migrations tests bench
	$(BIN)/ruff format --check crawler news_archive localcopy migrations tests bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
