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
           -I. \
           -DHVCERT_GIT='"$(shell git describe --always --dirty 2>/dev/null || echo unknown)"'
LDLIBS  += -lcpuid -lpci -lhwloc -ljansson -lZydis -lm
LDFLAGS += $(SAN)

COMMON_SRC  := $(wildcard common/*.c)
COMMON_OBJ  := $(COMMON_SRC:%.c=$(BUILD)/%.o)
PROBE_SRC   := $(wildcard probe/*.c)
REPORT_SRC  := $(wildcard reports/*.c)
HCL_SRC     := $(wildcard hcl/*.c)
BENCH_SRC   := $(wildcard bench/*.c)
CLI_SRC     := $(wildcard cli/*.c)
LIB_SRC     := $(PROBE_SRC) $(REPORT_SRC) $(HCL_SRC) $(BENCH_SRC)
LIB_OBJ     := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ     := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC    := $(wildcard tests/unit/*.c)
UNIT_OBJ    := $(UNIT_SRC:%.c=$(BUILD)/%.o)

.PHONY: all deps run test test-kvm bt-facts bt-census asan fuzz expected clean format bench bench-bt guests
all: $(BUILD)/hvcert $(BUILD)/unit-tests guests $(BUILD)/bin/vmm-mini $(BUILD)/bin/vmm-mini-static

# vmm-mini: its own small program; the static build goes into the nested rig.
# vmm-mini/bt/ is the binary translator (Zydis); the static rig build is KVM only.
VMM_SRC := $(wildcard vmm-mini/*.c vmm-mini/devices/*.c)
BT_SRC := $(wildcard vmm-mini/bt/*.c)
VMM_LIB_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(filter-out vmm-mini/main.c,$(VMM_SRC) $(BT_SRC)))
$(BUILD)/libvmm.a: $(VMM_LIB_OBJ)
	$(AR) rcs $@ $^
$(BUILD)/libcommon.a: $(COMMON_OBJ)
	$(AR) rcs $@ $^
$(BUILD)/bin/vmm-mini: $(BUILD)/vmm-mini/main.o $(BUILD)/libvmm.a $(BUILD)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(BUILD)/vmm-mini/main.o -Wl,--whole-archive $(BUILD)/libvmm.a -Wl,--no-whole-archive $(BUILD)/libcommon.a -lZydis
$(BUILD)/bin/vmm-mini-static: $(VMM_SRC) $(COMMON_SRC) $(wildcard vmm-mini/*.h common/*.h)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Wno-format-truncation $(WERROR) -I. -DVMM_NO_BT -static -o $@ $(VMM_SRC) $(COMMON_SRC)

# Reference guests: freestanding ELF64 at 1 MiB with a PVH note (bench/guests).
GUEST_CFLAGS := -std=c11 -O2 -g -ffreestanding -fno-stack-protector -fno-pic -fno-pie -mno-red-zone \
	-mgeneral-regs-only -fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns \
	-fcf-protection=none -Wall -Wextra $(WERROR)
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,-T,bench/guests/kit/link.ld -Wl,--build-id=none \
	-Wl,-z,max-page-size=4096 -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments
GUEST_KIT := $(BUILD)/guests/kit/boot.o $(BUILD)/guests/kit/isr.o $(BUILD)/guests/kit/kit.o $(BUILD)/guests/kit/cpu.o \
	$(BUILD)/guests/kit/virtio.o $(BUILD)/guests/kit/pvm.o
GUESTS := $(BUILD)/guests/compute.elf $(BUILD)/guests/nanobench.elf $(BUILD)/guests/iostream.elf \
	$(BUILD)/guests/hostile.elf $(BUILD)/guests/pvstream.elf $(BUILD)/guests/pvblk.elf \
	$(BUILD)/guests/compute-sse.elf
guests: $(GUESTS) $(BUILD)/compute-native
.SECONDARY:

$(BUILD)/guests/%.o: bench/guests/%.c bench/guests/kit/kit.h bench/guests/kernels.h
	@mkdir -p $(dir $@)
	@echo "  GUEST CC $<"
	@$(CC) $(GUEST_CFLAGS) -c $< -o $@
$(BUILD)/guests/%.o: bench/guests/%.S
	@mkdir -p $(dir $@)
	@$(CC) -c $< -o $@
$(BUILD)/guests/compute.elf: $(BUILD)/guests/compute.o $(BUILD)/guests/kernels.o $(GUEST_KIT) bench/guests/kit/link.ld
	$(CC) $(GUEST_LDFLAGS) -o $@ $(filter %.o,$^)
# The same kernels as gcc -O2 compiles them for any x86-64 (SSE2, vectorized):
# the translator's FP path on ordinary compiler output.
$(BUILD)/guests/kernels-sse.o: bench/guests/kernels.c bench/guests/kernels.h
	@mkdir -p $(dir $@)
	@echo "  GUEST CC $< (SSE)"
	@$(CC) $(filter-out -mgeneral-regs-only,$(GUEST_CFLAGS)) -c $< -o $@
$(BUILD)/guests/compute-sse.elf: $(BUILD)/guests/compute.o $(BUILD)/guests/kernels-sse.o $(GUEST_KIT) bench/guests/kit/link.ld
	$(CC) $(GUEST_LDFLAGS) -o $@ $(filter %.o,$^)
$(BUILD)/guests/%.elf: $(BUILD)/guests/%.o $(GUEST_KIT) bench/guests/kit/link.ld
	$(CC) $(GUEST_LDFLAGS) -o $@ $(filter %.o,$^)
$(BUILD)/compute-native: bench/native/compute_native.c bench/guests/kernels.c bench/guests/kernels.h
	$(CC) -std=c11 -O2 -Wall -Wextra $(WERROR) -I. -o $@ bench/native/compute_native.c bench/guests/kernels.c

deps:
	@scripts/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libhvcert.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/hvcert: $(CLI_OBJ) $(BUILD)/libhvcert.a $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/unit-tests: $(UNIT_OBJ) $(BUILD)/libhvcert.a $(BUILD)/libvmm.a $(BUILD)/libcommon.a
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
	@scripts/deps.sh qemu-system-x86 gnuplot-nox
	@$(MAKE) --no-print-directory guests $(BUILD)/bin/vmm-mini
	$(BUILD)/hvcert bench --reps 3 -o $(OUT)/bench.json
	$(BUILD)/hvcert report $(OUT)/bench.json -o $(OUT)/bench
	@echo "reports: $(OUT)/probe.txt $(OUT)/probe.json $(OUT)/certify.txt $(OUT)/certify.html $(OUT)/bench/index.html"

# The full overhead profile, on the installed QEMU and on an older build of the
# same QEMU release (a hypervisor-version comparison this machine can make).
OLD_QEMU ?= 1:7.2+dfsg-7+deb12u15
bench: deps
	@scripts/deps.sh qemu-system-x86 gnuplot-nox
	@$(MAKE) --no-print-directory all
	@mkdir -p $(OUT)/bench-full
	$(BUILD)/hvcert bench --reps 7 --label "qemu $(OLD_QEMU)" --qemu "$$(scripts/get-qemu.sh $(OLD_QEMU))" \
		-o $(OUT)/bench-full/1-old-qemu.json
	$(BUILD)/hvcert bench --reps 7 --label "qemu $$(dpkg-query -W -f='$${Version}' qemu-system-x86)" \
		-o $(OUT)/bench-full/2-installed-qemu.json
	-$(BUILD)/hvcert compare --history $(OUT)/bench-full
	$(BUILD)/hvcert report $(OUT)/bench-full/1-old-qemu.json $(OUT)/bench-full/2-installed-qemu.json -o $(OUT)/bench-full
	@echo "report: $(OUT)/bench-full/index.html"

# The translator against native and QEMU TCG, in one run (ratios, not absolute timings).
bench-bt: deps
	@scripts/deps.sh qemu-system-x86
	@$(MAKE) --no-print-directory all
	@mkdir -p $(OUT)/bench-bt
	$(BUILD)/hvcert bench --modes native,bt,qemu-tcg --guests compute,nanobench --reps 7 -o $(OUT)/bench-bt/bench.json
	python3 bench/bt/summary.py $(OUT)/bench-bt/bench.json $(BUILD)/rig/nanobench.log | tee $(OUT)/bench-bt/summary.txt

test: deps
	@scripts/deps.sh cpu-checker libvirt-clients qemu-system-x86 busybox-static cpio kmod chromium clang libclang-rt-14-dev
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) tests/run.sh

# Machine facts the binary translator (issue 5) is designed on, measured here.
bt-facts: $(BUILD)/btfacts
	$(BUILD)/btfacts
$(BUILD)/btfacts: bench/bt/btfacts.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra $(WERROR) -o $@ $<

# What the translator must handle in our guests (Zydis 4, linear sweep of the
# executable segments, which include the 32-bit PVH stub: counts are upper bounds).
bt-census: guests
	@scripts/deps.sh libzydis-dev
	@mkdir -p $(BUILD)
	$(CC) -std=gnu11 -O2 -Wall -Wextra $(WERROR) -o $(BUILD)/bt-census bench/bt/census.c -lZydis
	$(BUILD)/bt-census $(GUESTS)

# The nested-KVM rig: guests under vmm-mini/KVM inside QEMU TCG (a few minutes).
test-kvm: deps
	@scripts/deps.sh qemu-system-x86 busybox-static cpio kmod
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) tests/rig/vmm.sh

asan:
	@$(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" test

# make fuzz: libFuzzer targets (tests/fuzz/fuzz_*.c). The library is built
# once with coverage, ASan and UBSan into build-fuzz/obj (its own objects,
# dependencies tracked) and each target links it as an archive.
# tests/fuzz/run.sh builds, seeds from the fixtures, runs and replays
# tests/fuzz/regress/; make test runs it briefly, FUZZ_SECONDS longer.
FUZZ_SECONDS ?= 20
FUZZ_CC ?= clang
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -MMD -MP \
	-I. -DHVCERT_GIT='"fuzz"' $(FUZZ_SAN) -fsanitize=fuzzer-no-link
VMM_LIB_SRC := $(filter-out vmm-mini/main.c,$(VMM_SRC) $(BT_SRC))
FUZZ_LIB_OBJ := $(patsubst %.c,build-fuzz/obj/%.o,$(LIB_SRC) $(VMM_LIB_SRC) $(COMMON_SRC))
FUZZ_CLI_OBJ := $(patsubst %.c,build-fuzz/obj/%.o,$(CLI_SRC))
build-fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  FUZZ CC $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@
build-fuzz/libfuzzlib.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	@$(AR) rcs $@ $^
build-fuzz/fuzz_%: build-fuzz/obj/tests/fuzz/fuzz_%.o build-fuzz/libfuzzlib.a
	@echo "  FUZZ LD $@"
	@$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(LDLIBS)
# The CLI on the same objects: run.sh makes probe documents to seed fuzz_json
# (not named hvcert: BUILD=build-fuzz builds its own there).
build-fuzz/seed-hvcert: $(FUZZ_CLI_OBJ) build-fuzz/libfuzzlib.a
	@$(FUZZ_CC) $(FUZZ_SAN) -o $@ $^ $(LDLIBS)
-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_CLI_OBJ:.o=.d) $(patsubst tests/fuzz/%.c,build-fuzz/obj/tests/fuzz/%.d,$(wildcard tests/fuzz/fuzz_*.c))

fuzz: deps
	@scripts/deps.sh clang libclang-rt-14-dev
	@tests/fuzz/run.sh $(FUZZ_SECONDS)

# Regenerates tests/expected/ from the fixtures' raw data (python3, no hvcert code).
KVM_IGNORED := hypervisor,syscall,x2apic,tsc_deadline_timer,arat,arch_capabilities,acpi,monitor,svm,npt,nrip_save,svme_addr_chk
expected:
	python3 tests/gen/derive_expected.py ../shared/fixtures tests/expected
	{ echo "# GENERATED by: python3 scripts/gen-qemu-cpu-models.py --check ../shared/fixtures/cpuid --ignore $(KVM_IGNORED)"; \
	  echo "# (make expected). The script parses each AIDA64 dump itself (independently of hvcert's C"; \
	  echo "# parser) and names the newest QEMU 7.2 model of the dump's vendor whose every CPUID feature"; \
	  echo "# (data/cpuid-bits.tsv) the dump has, ignoring the bits KVM supplies or drops (hcl/baseline.c)."; \
	  echo "# Columns: fixture newest-model"; \
	  python3 scripts/gen-qemu-cpu-models.py --check ../shared/fixtures/cpuid --ignore $(KVM_IGNORED) | awk 'NR>1 {print $$1, $$4}'; \
	} >tests/expected/baseline-models.txt

format:
	clang-format -i $(COMMON_SRC) $(LIB_SRC) $(CLI_SRC) $(UNIT_SRC) $(VMM_SRC) $(BT_SRC) $(wildcard */*.h vmm-mini/bt/*.h tests/*/*.h tests/fuzz/*.c)

clean:
	rm -rf build build-asan build-fuzz reports/out

-include $(COMMON_OBJ:.o=.d) $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(VMM_LIB_OBJ:.o=.d)
