# Accord's two everyday commands: `make run` and `make test`.
#
#   make assets  installs the front-end packages (when the lockfile changed) and builds the
#                stylesheet and script that the web crate embeds
#   make run     serves Accord with the demo partnerships on a local SQLite file
#   make test    runs every test of the workspace (browser tests need chromium and
#                chromium-driver; .ci/run installs them)
#   make bench   runs the benchmarks
#   make crash   kills a serving Accord 20 times per backend under write load and checks that
#                no acknowledged write is lost or doubled (make test runs it with 5)
#   make fuzz    fuzzes the JSON API with schemathesis against its OpenAPI document (CI runs
#                it with fewer examples)
#   make bench-http  runs Accord under wrk (and Redmine beside it, when it is set up; see
#                BENCHMARKS.md)

CARGO ?= cargo
NPM ?= npm

ASSET_SOURCES := $(wildcard crates/web/assets/src/*) crates/web/assets/build.mjs
ASSETS_BUILT := crates/web/assets/build/.built
NODE_MODULES := node_modules/.installed

.PHONY: assets run test bench bench-http crash fuzz

assets: $(ASSETS_BUILT)

# npm ci reinstalls from the lockfile exactly; rerun it only when the lockfile (or package.json)
# is newer than the last install. Install scripts are not needed by any of the packages.
$(NODE_MODULES): package.json package-lock.json
	$(NPM) ci --ignore-scripts --no-audit --no-fund
	@touch $@

$(ASSETS_BUILT): $(NODE_MODULES) $(ASSET_SOURCES)
	$(NPM) run build
	@touch $@

run: assets
	$(CARGO) run --release -p accord -- serve --demo

test: assets
	$(CARGO) test --workspace --all-targets
	$(CARGO) test --workspace --doc

bench: assets
	$(CARGO) bench --workspace

bench-http: assets
	$(CARGO) build --release -p accord
	python3 bench/http_load.py

crash: assets
	ACCORD_CRASH_KILLS=20 $(CARGO) test -p accord --test crash -- --nocapture

fuzz: assets
	$(CARGO) build -p accord
	.ci/fuzz-api 200
