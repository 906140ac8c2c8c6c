# The fuzz targets: one libFuzzer target per reader (tests/fuzz/fuzz_*.c),
# sharing tests/fuzz/fuzz_harness.c. Included by the top Makefile.
#
#   make fuzz                  build every target with clang's libFuzzer,
#                              ASan and UBSan into $(BUILD_FUZZ) (build/fuzz)
#   make fuzz FUZZ_TIME=600    the same, then run each target for 600 s
#                              (nice -n 19), FUZZ_PARALLEL at a time; prints
#                              executions, coverage and crashes per target
#   make fuzz FUZZ_TIME=600 FUZZ_TARGETS="probe k6"
#                              some of them
#   make fuzz-replay           the same targets built without libFuzzer (any
#                              compiler, $(BUILD)/fuzz-replay/fuzz_<name>):
#                              each runs over the files or folders it is given
#
# The library is compiled again by clang for the targets, into
# $(BUILD_FUZZ)/obj, with -fsanitize=fuzzer-no-link,address,undefined, so
# that libFuzzer sees the readers' coverage. New corpus units go to
# $(BUILD_FUZZ)/corpus/<name>, crashes to $(BUILD_FUZZ)/crashes/<name>;
# the seeds (tests/data, ../shared/corpus) are only read.

BUILD_FUZZ ?= build/fuzz
FUZZ_CC ?= clang
FUZZ_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS ?= -O1 -g -fno-omit-frame-pointer
FUZZ_TIME ?=
FUZZ_PARALLEL ?= 1
FUZZ_TARGETS ?=

FUZZ_SRC := $(filter-out tests/fuzz/fuzz_harness.c,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
FUZZ_BINS := $(FUZZ_NAMES:%=$(BUILD_FUZZ)/fuzz_%)
# The stages the readers live in (common/, ingest/, sim/): the targets need
# no other, so a change elsewhere never holds them up.
FUZZ_LIB_SRC := $(filter common/% ingest/% sim/%,$(LIB_SRC))
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:%.c=$(BUILD_FUZZ)/obj/%.o) $(BUILD_FUZZ)/obj/gen/schema_scripts.o
FUZZ_REPLAY_LIB_OBJ := $(FUZZ_LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/schema_scripts.o
FUZZ_REPLAY_BINS := $(FUZZ_NAMES:%=$(BUILD)/fuzz-replay/fuzz_%)

fuzz_compile = $(FUZZ_CC) $(ALL_CPPFLAGS) $(call stage_includes,$<) $(WARNINGS) \
	$(FUZZ_SANITIZE) $(FUZZ_CFLAGS)

.PHONY: fuzz fuzz-replay fuzz-deps

# clang and libFuzzer, installed (or asked for) before anything is compiled.
fuzz-deps:
	$(Q)tools/deps.sh --fuzz

fuzz: $(FUZZ_BINS)
ifneq ($(FUZZ_TIME),)
	$(Q)FUZZ_BUILD=$(BUILD_FUZZ) FUZZ_TIME=$(FUZZ_TIME) FUZZ_PARALLEL=$(FUZZ_PARALLEL) \
	  tools/fuzz.sh $(FUZZ_TARGETS)
endif

fuzz-replay: $(FUZZ_REPLAY_BINS)

# The library, instrumented for coverage but without libFuzzer's main.
$(BUILD_FUZZ)/obj/%.o: %.c $(BUILD)/config.mk | fuzz-deps
	@mkdir -p $(@D)
	$(say) FUZZCC $<
	$(Q)$(fuzz_compile) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(BUILD_FUZZ)/gen/schema_scripts.c: $(SCHEMAS) tools/embed_sql.sh
	@mkdir -p $(@D)
	$(say) GEN $@
	$(Q)tools/embed_sql.sh $(SCHEMAS) > $@

$(BUILD_FUZZ)/obj/gen/schema_scripts.o: $(BUILD_FUZZ)/gen/schema_scripts.c $(BUILD)/config.mk \
		| fuzz-deps
	@mkdir -p $(@D)
	$(say) FUZZCC $<
	$(Q)$(FUZZ_CC) $(ALL_CPPFLAGS) $(WARNINGS) $(FUZZ_SANITIZE) $(FUZZ_CFLAGS) -c -o $@ $<

$(BUILD_FUZZ)/libp3.a: $(FUZZ_LIB_OBJ)
	$(say) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

# The targets and their harness (tests/ sees every stage's headers).
$(BUILD_FUZZ)/obj/tests/fuzz/%.o: tests/fuzz/%.c $(BUILD)/config.mk | fuzz-deps
	@mkdir -p $(@D)
	$(say) FUZZCC $<
	$(Q)$(fuzz_compile) -Itests/fuzz -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(BUILD_FUZZ)/fuzz_%: $(BUILD_FUZZ)/obj/tests/fuzz/fuzz_%.o \
		$(BUILD_FUZZ)/obj/tests/fuzz/fuzz_harness.o $(BUILD_FUZZ)/libp3.a
	$(say) LINK $@
	$(Q)$(FUZZ_CC) $(FUZZ_SANITIZE) -fsanitize=fuzzer -o $@ $^ $(LIBS)

# Without libFuzzer: the project's compiler and objects, and the harness's
# own main() (FUZZ_REPLAY).
$(BUILD)/fuzz-replay/%.o: tests/fuzz/%.c $(BUILD)/config.mk
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CPPFLAGS) $(call stage_includes,$<) -Itests/fuzz -DFUZZ_REPLAY \
	  $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/fuzz-replay/fuzz_%: $(BUILD)/fuzz-replay/fuzz_%.o \
		$(BUILD)/fuzz-replay/fuzz_harness.o $(FUZZ_REPLAY_LIB_OBJ)
	$(say) LINK $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# Keep the objects make would otherwise delete as intermediates.
.SECONDARY: $(FUZZ_LIB_OBJ) $(FUZZ_NAMES:%=$(BUILD_FUZZ)/obj/tests/fuzz/fuzz_%.o) \
	$(BUILD_FUZZ)/obj/tests/fuzz/fuzz_harness.o \
	$(FUZZ_NAMES:%=$(BUILD)/fuzz-replay/fuzz_%.o) $(BUILD)/fuzz-replay/fuzz_harness.o

ifneq ($(filter fuzz fuzz-replay $(BUILD_FUZZ)/%,$(MAKECMDGOALS)),)
-include $(FUZZ_LIB_OBJ:.o=.d) $(wildcard $(BUILD_FUZZ)/obj/tests/fuzz/*.d) \
	$(wildcard $(BUILD)/fuzz-replay/*.d)
endif
