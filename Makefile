# dropship — `make run` to start everything, `make test` to run every test.
SHELL := /bin/bash
GO    ?= go
BIN   := bin/dropship
PKG   ?= ./...
RUN   ?=
COUNT ?= 1

# The private PostgreSQL under ./.data when DATABASE_URL is unset; `db start` prints its URL.
DB_URL = $${DATABASE_URL:-$$($(BIN) db start)}

.PHONY: help build run test generate lint bench db-start db-stop db-psql fmt

help: ## show the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: generate ## build bin/dropship
	@$(GO) build -o $(BIN) ./cmd/dropship

run: build ## start PostgreSQL (if needed), migrate, seed the demo, serve on :8080
	@$(BIN) serve --demo

test: build ## run every test (PKG=./models RUN=TestName to narrow)
	@url="$(DB_URL)" || exit 1; \
	DATABASE_URL="$$url" $(GO) test -count=$(COUNT) -timeout 30m $(if $(RUN),-run '$(RUN)') $(PKG)

bench: build ## run the benchmarks against the local database
	@url="$(DB_URL)" || exit 1; \
	DATABASE_URL="$$url" $(GO) test -run '^$$' -bench . -benchmem -benchtime=1x -timeout 60m $(PKG)

generate: ## regenerate templ code
	@$(GO) tool templ generate -log-level error

lint: generate ## go vet and staticcheck
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

fmt: ## gofmt and templ fmt
	gofmt -w $$(git ls-files '*.go')
	$(GO) tool templ fmt views

db-start: build ## start the private PostgreSQL and print its URL
	@$(BIN) db start

db-stop: build ## stop the private PostgreSQL
	@$(BIN) db stop

db-psql: build ## open psql on the app database
	@psql "$(DB_URL)"
