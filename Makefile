# p3: build, test, benchmark.
#
#   make                  build ./p3
#   make demo             build, then run the main job on the paper's simulated lab
#   make check            build and run the test suites
#   make check SANITIZE=1 the same under AddressSanitizer and UBSan
#   make bench            the speed and memory benchmarks (BENCH="render ..." for some)
#   make clean            remove what the build made
#   BUILD=DIR             build somewhere else than build/release (build/asan)
#
# Quiet unless V=1. Dependencies are found with pkg-config; tools/deps.sh
# installs the Debian packages (or prints the apt-get line) on first build.

VERSION := 0.1.0
PKGS := sqlite3 xlsxwriter cairo pangocairo zlib libxml-2.0 nettle

SANITIZE ?= 0
ifeq ($(SANITIZE),1)
BUILD ?= build/asan
OPT := -O1 -g -fno-omit-frame-pointer
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined
else
BUILD ?= build/release
OPT := -O2 -g
SANFLAGS :=
endif

CFLAGS ?= $(OPT)
WARNINGS := -std=c17 -Wall -Wextra -pedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
ALL_CPPFLAGS = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DP3_VERSION='"$(VERSION)"' \
	-Icommon -I$(BUILD)/gen $(PKG_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS = $(WARNINGS) $(SANFLAGS) $(CFLAGS)
# A stage sees common/ and its own headers only, so that stages can meet
# only in the store; the command layer and the tests see every stage.
stage_includes = $(if $(filter cli/% tests/%,$1),-Iingest -Ianalysis -Irender -Isim -Iprobe -Icli,-I$(patsubst %/,%,$(dir $1)))
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
LIBS = $(PKG_LIBS) -lm -lpthread

ifeq ($(V),1)
Q :=
say = @:
else
Q := @
say = @printf '  %-6s %s\n'
endif

# Every stage is a folder; the command layer (cli/) is the only one that prints.
LIB_SRC := $(wildcard common/*.c ingest/*.c analysis/*.c render/*.c sim/*.c probe/*.c) \
	$(filter-out cli/main.c,$(wildcard cli/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/schema_scripts.o
TEST_SRC := $(wildcard tests/*.c)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
BENCH_SRC := $(wildcard bench/*.c)
SCHEMAS := $(sort $(wildcard schemas/*.sql))

.DEFAULT_GOAL := all
.PHONY: all demo check bench clean deps samples
.DELETE_ON_ERROR:

# Library flags, found once per build directory after the packages are there.
ifeq ($(filter clean,$(MAKECMDGOALS)),)
-include $(BUILD)/config.mk
endif

$(BUILD)/config.mk: tools/deps.sh Makefile
	@mkdir -p $(@D)
	$(Q)tools/deps.sh
	$(Q)pkg-config --exists $(PKGS) check || { echo "p3: pkg-config cannot find: $(PKGS) check" >&2; exit 1; }
	$(Q){ echo "PKG_CFLAGS := $$(pkg-config --cflags $(PKGS))"; \
	  echo "PKG_LIBS := $$(pkg-config --libs $(PKGS))"; \
	  echo "CHECK_CFLAGS := $$(pkg-config --cflags check)"; \
	  echo "CHECK_LIBS := $$(pkg-config --libs check)"; } > $@.tmp && mv $@.tmp $@

all: p3

# ./p3 is always the optimised build; the sanitizer build lives in build/asan.
ifeq ($(SANITIZE),1)
all: $(BUILD)/p3
else
p3: $(BUILD)/p3
	$(Q)cp $< $@
endif

$(BUILD)/p3: $(BUILD)/cli/main.o $(BUILD)/libp3.a
	$(say) LINK $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/libp3.a: $(LIB_OBJ)
	$(say) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/gen/schema_scripts.c: $(SCHEMAS) tools/embed_sql.sh
	@mkdir -p $(@D)
	$(say) GEN $@
	$(Q)tools/embed_sql.sh $(SCHEMAS) > $@

$(BUILD)/%.o: %.c $(BUILD)/config.mk
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CPPFLAGS) $(call stage_includes,$<) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/gen/schema_scripts.o: $(BUILD)/gen/schema_scripts.c
	$(say) CC $<
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%.o: tests/%.c $(BUILD)/config.mk
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CPPFLAGS) $(call stage_includes,$<) $(CHECK_CFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/check_p3: $(TEST_OBJ) $(BUILD)/libp3.a
	$(say) LINK $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(CHECK_LIBS)

# The suites find the p3 binary under test and the project's folders through
# the environment, so they run the same from any build directory.
# LeakSanitizer leaves out what fontconfig never frees (tests/lsan.supp);
# the p3 processes the suites start inherit the setting. Each run has its
# own scratch folder, kept for inspection when a test fails.
check: $(BUILD)/check_p3 $(BUILD)/p3
	$(Q)tmp=$(CURDIR)/$(BUILD)/tmp/check-$$$$ && mkdir -p "$$tmp" && \
	  P3_BIN=$(CURDIR)/$(BUILD)/p3 P3_SOURCE_DIR=$(CURDIR) P3_TMPDIR="$$tmp" \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	  $(BUILD)/check_p3 && rm -rf "$$tmp"

$(BUILD)/bench/%: bench/%.c $(BUILD)/config.mk
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -o $@ $< -lm

# The workbook benchmark's driver calls the library, not the command line.
$(BUILD)/bench/xlsx_bench: bench/xlsx_bench.c $(BUILD)/libp3.a $(BUILD)/config.mk
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CPPFLAGS) -Irender $(ALL_CFLAGS) -o $@ $< $(BUILD)/libp3.a $(LIBS)

# The main job on the paper's lab, what the README's first command runs:
# simulate the ten scenarios of samples/paper-2005 into run folders (the
# same bytes every time; --force replaces those of an earlier demo), report
# on them, and say where the results are.
PAPER_SCENARIOS := $(sort $(wildcard samples/paper-2005/*.ini))
demo: p3
	./p3 simulate --force --lab p3-report/lab $(PAPER_SCENARIOS)
	./p3 report -o p3-report --title "The 2005 paper's lab, simulated" p3-report/lab
	@echo "the paper's lab (simulated): p3-report/lab/<figure>/"
	@echo "charts:"; for f in p3-report/fig*/p3.png; do echo "  $$f"; done
	@for f in p3-report/*.pdf p3-report/*.xlsx; do [ ! -e "$$f" ] || echo "report: $$f"; done

bench: p3 $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
	$(Q)tools/deps.sh --bench
	$(Q)P3_BIN=$(CURDIR)/p3 BENCH_TOOLS=$(CURDIR)/$(BUILD)/bench bench/run.sh $(BENCH)

# Regenerates the committed sample lab from its generator (same bytes every time).
samples: $(BUILD)/bench/probegen
	$(Q)tools/make_samples.sh $(BUILD)/bench/probegen

clean:
	rm -rf build p3 p3-report

# Installing (make install/uninstall) and the fuzz targets (make fuzz) live
# in their own files.
include tools/install.mk
include tests/fuzz/fuzz.mk

-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/cli/main.d
