# Every go command gets -tags duckdb_arrow: duckdb-go's Arrow interface,
# which the engine loads batches through, is built only with it.
GO      ?= go
TAGS    := -tags duckdb_arrow
CALVIN  := bin/calvin

.PHONY: build build-deps demo test test-deps bench fuzz vet clean

# liblzma-dev (the .7z reader's decoder, through cgo) is installed by
# scripts/install-build-deps when it is missing.
build: build-deps
	$(GO) build $(TAGS) -buildvcs=auto -o $(CALVIN) ./cmd/calvin

# The bundled sample dump into the default calvin.duckdb, then a leaderboard.
# Running it again changes nothing: an ingest is idempotent.
demo: build
	$(CALVIN) ingest stackexchange demo/alcohol.meta.stackexchange.com --source alcohol.meta
	$(CALVIN) leaderboard --month 2014-01 --source alcohol.meta

# Go modules come with the go command; the rest (INN 2, the news server
# the NNTP tests pull from), Prometheus (which scrapes calvin serve in the
# server's tests) and Chromium (which drives its pages) are installed by
# scripts/install-test-deps. CALVIN_TEST_INN, _PROMETHEUS and _CHROMIUM
# =require make a missing one fail the tests, not skip them. The pages'
# screenshots are written to artifacts/.
test: build-deps test-deps vet
	CALVIN_TEST_INN=require CALVIN_TEST_PROMETHEUS=require CALVIN_TEST_CHROMIUM=require $(GO) test $(TAGS) -count=1 ./...

build-deps:
	scripts/install-build-deps

test-deps:
	scripts/install-test-deps

vet:
	$(GO) vet $(TAGS) ./...

# Benchmarks: see benchmarks/README.md for the figures and the inputs. The
# first run writes its synthetic dumps to the system's temporary folder.
bench:
	$(GO) test $(TAGS) -run '^$$' -bench ReadPosts -cpu 1,2 -benchtime 5x ./ingest/stackexchange
	$(GO) test $(TAGS) -run '^$$' -bench . -benchtime 2x ./engine
	$(GO) test $(TAGS) -run '^$$' -bench . -benchtime 3x ./ingest/mbox ./ingest/nntp ./ingest/export

# Fuzzing: every reader and parser of outside input has a fuzz target
# (FuzzXxx in its package), whose seeds make test runs; make fuzz searches
# each for FUZZTIME. A failing input is kept in the package's
# testdata/fuzz/ and then runs with make test too.
FUZZTIME ?= 1m
FUZZ := ingest/stackexchange:FuzzPostsXML ingest/mbox:FuzzMbox ingest/spool:FuzzArticle \
	ingest/discourse:FuzzTopic ingest/export:FuzzCSV ingest/export:FuzzJSONL ingest/export:FuzzMapping \
	ingest/nntp:FuzzOverview ingest/nntp:FuzzServerLines ingest/message:FuzzHeader config:FuzzConfig
fuzz:
	@for t in $(FUZZ); do \
		echo "== $$t"; \
		$(GO) test $(TAGS) -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) ./$${t%%:*} || exit 1; \
	done

clean:
	rm -rf bin calvin.duckdb calvin.duckdb.wal
