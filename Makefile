# dropship — `make run` to start everything, `make test` to run every test.
SHELL := /bin/bash
GO    ?= go
BIN   := bin/dropship
PKG   ?= ./...
RUN   ?=
COUNT ?= 1

# The private PostgreSQL under ./.data when DATABASE_URL is unset; `db start` prints its URL.
DB_URL = $${DATABASE_URL:-$$($(BIN) db start)}

.PHONY: help build run test test-deps generate lint bench db-start db-stop db-psql fmt

help: ## show the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: generate ## build bin/dropship
	@$(GO) build -o $(BIN) ./cmd/dropship

run: build ## start PostgreSQL (if needed), migrate, seed the demo, serve on :8080
	@$(BIN) serve --demo

# What the tests need besides PostgreSQL: chromium for browser tests (installed
# with apt-get when root on Debian) and stripe-mock for Stripe request shapes.
test-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && [ -f /etc/debian_version ]; then \
	    echo "installing chromium for the browser tests"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: install it (Debian: sudo apt-get install chromium)"; exit 1; fi; }
	@command -v stripe-mock >/dev/null 2>&1 || [ -x "$$($(GO) env GOPATH)/bin/stripe-mock" ] || \
	  { echo "installing stripe-mock"; $(GO) install github.com/stripe/stripe-mock@v0.203.0; }

test: build test-deps ## run every test (PKG=./models RUN=TestName to narrow)
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
