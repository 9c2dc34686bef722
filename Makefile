# Every go command gets -tags duckdb_arrow: duckdb-go's Arrow interface,
# which the engine loads batches through, is built only with it.
GO      ?= go
TAGS    := -tags duckdb_arrow
CALVIN  := bin/calvin

.PHONY: build demo test bench vet clean

build:
	$(GO) build $(TAGS) -o $(CALVIN) ./cmd/calvin

# The bundled sample dump into the default calvin.duckdb, then a leaderboard.
# Running it again changes nothing: an ingest is idempotent.
demo: build
	$(CALVIN) ingest stackexchange demo/alcohol.meta.stackexchange.com --source alcohol.meta
	$(CALVIN) leaderboard --month 2014-01 --source alcohol.meta

# What the tests need is Go modules only, fetched by the go command.
test: vet
	$(GO) test $(TAGS) -count=1 ./...

vet:
	$(GO) vet $(TAGS) ./...

# Benchmarks: see benchmarks/README.md for the figures and the inputs. The
# first run writes its synthetic dumps to the system's temporary folder.
bench:
	$(GO) test $(TAGS) -run '^$$' -bench ReadPosts -cpu 1,2 -benchtime 5x ./ingest/stackexchange
	$(GO) test $(TAGS) -run '^$$' -bench . -benchtime 2x ./engine

clean:
	rm -rf bin calvin.duckdb calvin.duckdb.wal
