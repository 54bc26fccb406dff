# magister-notify — build, test and benchmark.
# `make test` is everything CI checks; `.ci/run` installs the system packages and calls it.

GO      ?= go
BIN     ?= bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
PKGS    := ./...
# Each fuzz target runs briefly in CI; longer by hand: make fuzz FUZZTIME=5m.
# A count rather than a duration: when a duration runs out while the fuzzer is
# minimising a new input, go test fails with "context deadline exceeded"
# (seen on a loaded CI machine).
FUZZTIME ?= 20000x
FUZZ    := state:FuzzDecode state:FuzzHistoryReuse state:FuzzDecodeEntries state:FuzzDecodeSplit state:FuzzStringEnd \
	magister:FuzzDecodeAccount magister:FuzzDecodeChildren magister:FuzzDecodeLatestGrades \
	magister:FuzzDecodeEnrollments magister:FuzzDecodeEnrollmentGrades magister:FuzzDecodeAppointments \
	magister:FuzzDecodeAbsences magister:FuzzDecodeMessages magister:FuzzParseRedirect \
	magister:FuzzParseGradeValue magister:FuzzPlainText magister:FuzzItemsEnvelope

.PHONY: all build windows test vet fmt-check unit soak e2e e2e-tray e2e-look test-windows fuzz cross bench clean demo dist test-dist macos-app

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/ ./cmd/...

# Windows: the console CLI and the tray build without a console window, side
# by side (autostart and the sign-in handler start the -tray one).
windows:
	GOOS=windows GOARCH=amd64 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/windows/magister-notify.exe ./cmd/magister-notify
	GOOS=windows GOARCH=amd64 $(GO) build -trimpath -ldflags '$(LDFLAGS) -H windowsgui' -o $(BIN)/windows/magister-notify-tray.exe ./cmd/magister-notify

test: vet fmt-check unit soak e2e e2e-tray e2e-look test-windows fuzz cross test-dist
	@echo "make test: all checks passed"

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

unit:
	$(GO) test -race -count=1 $(PKGS)

# A whole school year of hourly checks against the fake school with an
# injected clock: every change announced exactly once, nothing again.
# Without -race (the test is one goroutine; the race build leaves it out).
soak:
	$(GO) test -count=1 -run '^TestWholeSchoolYear$$' -v ./notifier

# A real notification daemon (dunst under Xvfb on a private D-Bus) receives
# a desktop notification; read back with dunstctl history.
e2e:
	GO=$(GO) ./scripts/e2e-notify.sh

# The tray and `demo --for 70s` against Xvfb, dunst and Debian's
# status-notifier-watcher on a private D-Bus: the icon registers, the menu
# answers, dunst shows the demo's notifications. Prints a screenshot's path.
e2e-tray:
	GO=$(GO) ./scripts/e2e-tray.sh

# The look: the tray in a tray host that draws (gtk-sni-tray-standalone, a
# light 24 px and a dark 16 px bar) with dunst under Xvfb, against
# magister-fake. Screenshots of the icons, the menu, Recent while an entry
# arrives, hostile school text and the sign-in notifications go to
# $(BIN)/e2e/look; it asserts dunst holds the text exactly, the sign-in
# notification comes once and menu labels escape "_". About 20 s.
e2e-look:
	GO=$(GO) E2E_ARTIFACTS=$(BIN)/e2e ./scripts/e2e-look.sh

# The Windows build under Wine (one throw-away prefix): the test binaries of
# state, internal/..., notifier, installer and cmd/magister-notify, the CLI
# end to end against magister-fake, and the tray in Wine's notification area
# under Xvfb. Logs and the tray screenshots go to $(BIN)/wine.
test-windows:
	GO=$(GO) WINE_ARTIFACTS=$(BIN)/wine ./scripts/test-windows.sh

# The first thing to run: a fake school in the binary, real notifications, no
# account. With the status icon when there is a desktop session, else in the
# terminal (--no-tray).
demo: build
	@if { [ -n "$$DISPLAY" ] || [ -n "$$WAYLAND_DISPLAY" ]; } && \
		{ [ -n "$$DBUS_SESSION_BUS_ADDRESS" ] || [ -S "$${XDG_RUNTIME_DIR:-/nonexistent}/bus" ]; }; then \
		$(BIN)/magister-notify demo; \
	else \
		echo "No desktop session here: running the demo in the terminal (magister-notify demo --no-tray)."; \
		$(BIN)/magister-notify demo --no-tray; \
	fi

fuzz:
	@set -e; for t in $(FUZZ); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name in ./$$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) ./$$pkg; \
	done

cross:
	GOOS=windows GOARCH=amd64 $(GO) build -o /dev/null ./...
	GOOS=windows GOARCH=amd64 $(GO) build -ldflags -H=windowsgui -o /dev/null ./cmd/magister-notify
	GOOS=windows GOARCH=arm64 $(GO) build -o /dev/null ./...
	GOOS=linux GOARCH=arm64 $(GO) build -o /dev/null ./...
	GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 $(GO) build -o /dev/null ./...
	GOOS=darwin GOARCH=amd64 CGO_ENABLED=0 $(GO) vet ./...
	GOOS=windows GOARCH=amd64 $(GO) vet ./...

# Release artifacts in dist/: Linux and macOS .tar.gz, .deb, Windows .zip
# and a per-user MSI, SHA256SUMS; reproducible (packaging/README.md).
dist:
	GO=$(GO) ./packaging/dist.sh

# Proves them: the .deb installs (as root), runs, validates and uninstalls
# cleanly; lintian; the MSI's tables; a second build is identical.
test-dist: dist
	GO=$(GO) ./packaging/test-dist.sh

# On a Mac (Xcode command line tools): the universal cgo build with the
# menu-bar icon, as dist/magister-notify.app. See packaging/README.md.
macos-app:
	GO=$(GO) ./packaging/macos/app.sh

bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

clean:
	rm -rf $(BIN) dist
