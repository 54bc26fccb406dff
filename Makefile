# magister-notify — build, test and benchmark.
# `make test` is everything CI checks; `.ci/run` installs the system packages and calls it.

GO      ?= go
BIN     ?= bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
PKGS    := ./...
# Each fuzz target runs briefly in CI; longer by hand: make fuzz FUZZTIME=5m
FUZZTIME ?= 4s
FUZZ    := state:FuzzDecode \
	magister:FuzzDecodeAccount magister:FuzzDecodeChildren magister:FuzzDecodeLatestGrades \
	magister:FuzzDecodeEnrollments magister:FuzzDecodeEnrollmentGrades magister:FuzzDecodeAppointments \
	magister:FuzzDecodeAbsences magister:FuzzDecodeMessages magister:FuzzParseRedirect \
	magister:FuzzParseGradeValue magister:FuzzPlainText

.PHONY: all build test vet fmt-check unit e2e fuzz cross bench clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/ ./cmd/...

test: vet fmt-check unit e2e fuzz cross
	@echo "make test: all checks passed"

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

unit:
	$(GO) test -race -count=1 $(PKGS)

# A real notification daemon (dunst under Xvfb on a private D-Bus) receives
# a desktop notification; read back with dunstctl history.
e2e:
	GO=$(GO) ./scripts/e2e-notify.sh

fuzz:
	@set -e; for t in $(FUZZ); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name in ./$$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) ./$$pkg; \
	done

cross:
	GOOS=windows GOARCH=amd64 $(GO) build -o /dev/null ./...
	GOOS=windows GOARCH=arm64 $(GO) build -o /dev/null ./...
	GOOS=linux GOARCH=arm64 $(GO) build -o /dev/null ./...
	GOOS=windows GOARCH=amd64 $(GO) vet ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

clean:
	rm -rf $(BIN)
