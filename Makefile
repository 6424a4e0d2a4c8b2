# hvcert: plain GNU make. `make run` certifies this host, `make test` runs
# every test. Both install missing Debian packages first (scripts/deps.sh).
CC      ?= gcc
BUILD   ?= build
WERROR  ?= $(if $(CI),-Werror,)
OPT     ?= -O2
SAN     ?=
# Messages are built with snprintf into fixed buffers on purpose: cutting an
# over-long message is the intended behaviour, so -Wformat-truncation is off.
CFLAGS  += -std=c11 -D_GNU_SOURCE $(OPT) -g -Wall -Wextra -Wno-format-truncation $(WERROR) $(SAN) -MMD -MP \
           -Iprobe -Ireports -Icli -Ihcl
LDLIBS  += -lcpuid -lpci -lhwloc -ljansson
LDFLAGS += $(SAN)

PROBE_SRC   := $(wildcard probe/*.c)
REPORT_SRC  := $(wildcard reports/*.c)
HCL_SRC     := $(wildcard hcl/*.c)
CLI_SRC     := $(wildcard cli/*.c)
LIB_SRC     := $(PROBE_SRC) $(REPORT_SRC) $(HCL_SRC)
LIB_OBJ     := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ     := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC    := $(wildcard tests/unit/*.c)
UNIT_OBJ    := $(UNIT_SRC:%.c=$(BUILD)/%.o)

.PHONY: all deps run test asan fuzz expected clean format bench
all: $(BUILD)/hvcert $(BUILD)/unit-tests

deps:
	@scripts/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libhvcert.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/hvcert: $(CLI_OBJ) $(BUILD)/libhvcert.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/unit-tests: $(UNIT_OBJ) $(BUILD)/libhvcert.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# make run: probe this host, certify it against every release in data/hcl,
# write the reports. A host that is NOT CERTIFIED is a result, not an error.
OUT ?= reports/out
run: deps
	@$(MAKE) --no-print-directory $(BUILD)/hvcert
	@mkdir -p $(OUT)
	$(BUILD)/hvcert probe --save $(OUT)/probe.json >$(OUT)/probe.txt
	@cat $(OUT)/probe.txt
	@$(BUILD)/hvcert certify --load $(OUT)/probe.json --html >$(OUT)/certify.html; rc=$$?; [ $$rc -le 1 ] || exit $$rc
	@$(BUILD)/hvcert certify --load $(OUT)/probe.json --no-color >$(OUT)/certify.txt; rc=$$?; [ $$rc -le 1 ] || exit $$rc
	@sed -n '/^Summary:/,$$p' $(OUT)/certify.txt
	@echo "reports: $(OUT)/probe.txt $(OUT)/probe.json $(OUT)/certify.txt $(OUT)/certify.html"

test: deps
	@scripts/deps.sh cpu-checker libvirt-clients
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) tests/run.sh

asan:
	@$(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" test

FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,build-fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 20
build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_SRC)
	@mkdir -p build-fuzz
	clang -std=c11 -D_GNU_SOURCE -g -O1 -Iprobe -Ireports -Icli -Ihcl \
	  -fsanitize=fuzzer,address,undefined -o $@ $< $(LIB_SRC) $(LDLIBS)

fuzz: deps
	@scripts/deps.sh clang libclang-rt-14-dev
	@$(MAKE) --no-print-directory $(FUZZ_TARGETS)
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Regenerates tests/expected/ from the fixtures' raw data (python3, no hvcert code).
expected:
	python3 tests/gen/derive_expected.py ../shared/fixtures tests/expected

format:
	clang-format -i $(LIB_SRC) $(CLI_SRC) $(UNIT_SRC) $(wildcard */*.h tests/*/*.h tests/fuzz/*.c)

clean:
	rm -rf build build-asan build-fuzz reports/out

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d)
