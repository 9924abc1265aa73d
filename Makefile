# Sabot — one command per habit. `make test` is the whole suite against real
# Apache Kafka and a real registry (started and stopped here); `make
# test-embedded` runs the same suite on the embedded default with nothing
# installed.
#
# The repository is four Go modules tied together by go.work: the library
# (.), bench, cmd/sabot-bench and interop. `./...` at the root stops at a
# nested go.mod, so the targets that mean "everything" take PKGS, the
# pattern of every module in go.work (scripts/modules.sh).

GO ?= go
PKGS = $(shell scripts/modules.sh)

.PHONY: all build test test-embedded test-race test-python pyenv lint vet fmt bench soak fuzz \
        kafka-up kafka-down registry-up registry-down rig-up rig-down rig-env clean

all: build

build:
	$(GO) build $(PKGS)

## test: vet, lint and the race-enabled suite against real Kafka + registry, then the embedded run
test:
	scripts/test.sh

## test-embedded: the suite on the in-process broker and registry (no installs)
test-embedded:
	$(GO) test -count=1 $(PKGS)

## test-race: the race-enabled suite on whatever SABOT_KAFKA_BROKERS names (embedded if unset)
test-race:
	$(GO) test -race -count=1 $(PKGS)

## pyenv: builds the Python venv of the cross-language tests from PyPI under .cache/python (once per requirements hash) and prints its python
pyenv:
	@scripts/pyenv.sh

## test-python: the cross-language tests against confluent-kafka-python and pyarrow (interop/python) on whatever SABOT_KAFKA_BROKERS / SABOT_REGISTRY_URL name (embedded if unset)
test-python:
	SABOT_PYTHON=$$(scripts/pyenv.sh) $(GO) test -count=1 -v ./interop/python/...

vet:
	$(GO) vet $(PKGS)

lint:
	scripts/lint.sh

fmt:
	gofmt -w $$(git ls-files '*.go')

## bench: the standard benchmark set on the embedded broker (a few minutes; BENCH_FLAGS adds flags, e.g. -brokers 127.0.0.1:19092)
BENCH_FLAGS ?=
bench:
	$(GO) run ./cmd/sabot-bench -kinds produce,consume,pipeline -formats json,avro,protobuf,msgpack \
	  -size 100 -records 1000000 -warmup 1 -reps 3 $(BENCH_FLAGS)

## soak: a pipeline under a fault schedule on the real rig (broker bounced every 2 minutes, 1% poison, a new writer schema every minute); MINUTES=10 by default
MINUTES ?= 10
soak:
	scripts/soak.sh $(MINUTES)

## fuzz: runs each fuzz target briefly (FUZZTIME=30s to go longer)
FUZZTIME ?= 10s
fuzz:
	@for pkg in $$($(GO) list $(PKGS)); do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$target"; \
	    $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

## kafka-up / kafka-down: one Apache Kafka 4 KRaft node on 127.0.0.1:19092 (SASL 19093, TLS 19094)
kafka-up:
	scripts/rig/kafka.sh up
kafka-down:
	scripts/rig/kafka.sh down

## registry-up / registry-down: Apicurio Registry on 127.0.0.1:18081 (/apis/ccompat/v7)
registry-up:
	scripts/rig/registry.sh up
registry-down:
	scripts/rig/registry.sh down

rig-up: kafka-up registry-up
rig-down: registry-down kafka-down

## rig-env: prints the environment that points tests at the running rig (eval "$$(make -s rig-env)")
rig-env:
	@cat .cache/rig/kafka.env .cache/rig/registry.env 2>/dev/null | sed 's/^/export /'

clean: rig-down
	rm -rf .cache/rig
