# GearStudio: the two commands.
#   make run   installs what is missing, builds (Release), fetches the sample models, opens the studio
#   make test  installs what is missing, builds, and runs every test through CTest
# Both are idempotent: the second run only rebuilds what changed.
PRESET ?= release
JOBS ?= $(shell nproc)
MODEL ?= .cache/models/ch_PP-OCRv4_det_infer.onnx

.PHONY: all deps models configure build test run asan asan-check clean

all: build

deps:
	@scripts/install-deps.sh

models: deps
	@scripts/fetch-models.sh

configure: deps
	@if [ ! -f build/$(PRESET)/build.ninja ]; then cmake --preset $(PRESET); fi

build: configure
	@cmake --build --preset $(PRESET) -j $(JOBS)

test: build models
	@ctest --preset $(PRESET) -j $(JOBS)

run: build models
	@scripts/run-studio.sh build/$(PRESET)/app/gearstudio/gearstudio "$(MODEL)"

asan:
	@$(MAKE) test PRESET=asan

# Conformance folders + sample models under AddressSanitizer/UBSan/LeakSanitizer (slow; not in `test`).
asan-check: deps models
	@scripts/asan-check.sh

clean:
	rm -rf build

# The conformance gate's expected-pass lists (tests/conformance/), regenerated from a gearbench --check
# run over each ONNX backend suite; commit them after a change that makes more cases pass.
.PHONY: conformance-lists
conformance-lists: configure
	@cmake --build --preset $(PRESET) --target gearbench -j $(JOBS)
	@scripts/update-conformance-lists.sh build/$(PRESET)

# The Debian package (Release, build/release/packages/): only the three executables are built for it.
# `deb-check` installs it on a clean Debian 12 root and runs the CLIs and the studio there (needs root,
# network to the Debian mirror; not part of `make test`).
.PHONY: deb deb-check fresh-check
deb:
	@$(MAKE) --no-print-directory configure PRESET=release
	@cmake --build build/release --target gearstudio gearatc gearbench -j $(JOBS)
	@cd build/release && cpack -G DEB

deb-check: deb
	@scripts/check-deb.sh

# The README's `make test` and `make run` on a clean Debian 12 root with only make, git and
# ca-certificates added (needs root and the Debian mirror; slow: a whole build; not part of `make test`).
fresh-check:
	@scripts/check-fresh.sh
