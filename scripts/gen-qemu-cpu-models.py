#!/usr/bin/env python3
"""Generate data/hcl/qemu-cpu-models.hcl and data/cpuid-bits.tsv from QEMU.

Usage:
  scripts/gen-qemu-cpu-models.py            regenerate both files (needs
                                            qemu-system-x86 and
                                            linux-headers-*-common installed)
  scripts/gen-qemu-cpu-models.py --check DIR
                                            for every AIDA64 CPUID dump
                                            DIR/*.txt print the newest QEMU
                                            model of its vendor whose features
                                            the dump's CPUID has (reads only
                                            the two generated files)

Where the data comes from (nothing is typed in by hand):

* Models: QMP `query-cpu-definitions`, then `query-cpu-model-expansion`
  type=static for each model, on `qemu-system-x86_64 -machine none -accel
  tcg`. Static expansion names every feature once, by its canonical QEMU name
  (`sse4.2`, never the aliases `sse4-2`/`sse4_2`; `pni`, never `sse3`; `nx`,
  never `xd`), so aliases need no de-duplication. A feature is a boolean
  property that is true AND that sets a CPUID feature bit (see below).

* TCG forces `vme=off` on every named model (tcg_default_props in QEMU), so
  the expansion under TCG never shows vme. The model's own definition is read
  from QEMU's builtin_x86_defs table inside the qemu-system-x86_64 binary
  (X86CPUDefinition: name, level, xlevel, vendor, family, model, stepping,
  features[]) and vme is restored from its CPUID[1].EDX bit 1. The same table
  gives the definition order used for `order`, and every other CPUID[1].EDX
  bit of a -v1 model is checked against the expansion. KVM has its own
  defaults (kvm_default_props: x2apic=on, acpi/monitor/svm=off, kvm* leaf
  0x40000001 bits on); they are NOT applied: the records show the model
  definition as QEMU states it, the same on every accelerator but for those.

* Bit positions: for every candidate property NAME, QEMU itself is asked:
  `-cpu base,NAME=on` (base = no features at all) is started paused and the
  CPU's `feature-words` and `filtered-features` QOM properties (CPUID leaf,
  subleaf, register, bits) are diffed against plain `-cpu base`. A property
  that sets exactly one bit in a CPUID leaf below 0x40000000 or at/above
  0x80000000 is a CPUID feature; one that sets no bit (MSR-only features such
  as arch-capabilities sub-bits, vmx-*, QEMU knobs) or only KVM paravirt bits
  (leaf 0x40000001) is dropped and listed in the header of cpuid-bits.tsv.
  Every position is then cross-checked against Linux's
  arch/x86/include/asm/cpufeatures.h (Debian linux-headers-*-common) where
  Linux defines that CPUID word; a disagreement is an error.

* Names: /proc/cpuinfo spelling. The name Linux prints for that exact CPUID
  bit when it prints one (tsc-deadline -> tsc_deadline_timer, ds -> dts,
  sse4.2 -> sse4_2, pause-filter -> pausefilter); the lower-case
  X86_FEATURE_ macro name when Linux defines the bit but hides it from
  /proc/cpuinfo (ssbd at 7.0.EDX[31] -> spec_ctrl_ssbd, AMD ibpb ->
  amd_ibpb); otherwise the QEMU name with '-' and '.' turned into '_'.

* order: position of the model's base definition in QEMU's builtin_x86_defs
  (source order, roughly oldest first within a vendor), then the version
  number. Counted separately per vendor, from 1.

Which models: every unversioned name (Haswell, Haswell-noTSX, ...: the names
people type; each is an alias of some NAME-vN), plus each NAME-vN that no
alias points to and whose vendor/family/model/features differ from every
model already kept (Skylake-Server-v5 is kept; Skylake-Server-v4 only adds a
VMX capability, so its CPUID features equal Skylake-Server-noTSX-IBRS and it
is skipped). base, host and max are skipped.
"""

import argparse
import glob
import json
import os
import re
import struct
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HCL_OUT = os.path.join(REPO, "data", "hcl", "qemu-cpu-models.hcl")
TSV_OUT = os.path.join(REPO, "data", "cpuid-bits.tsv")
QEMU = "qemu-system-x86_64"
REGS = ("EAX", "EBX", "ECX", "EDX")
VENDORS = ("GenuineIntel", "AuthenticAMD", "HygonGenuine")
SKIP = {"base", "host", "max"}

# Linux cpufeatures.h capability word -> the CPUID (leaf, subleaf, register)
# it mirrors, as the header's own comment line for that word says (checked:
# the leaf must appear on that comment line). Words not listed are
# Linux-defined/synthetic and never used to name or check a bit.
LINUX_WORDS = {
    0: (0x00000001, 0, "EDX"),
    1: (0x80000001, 0, "EDX"),
    4: (0x00000001, 0, "ECX"),
    5: (0xC0000001, 0, "EDX"),
    6: (0x80000001, 0, "ECX"),
    9: (0x00000007, 0, "EBX"),
    10: (0x0000000D, 1, "EAX"),
    12: (0x00000007, 1, "EAX"),
    13: (0x80000008, 0, "EBX"),
    14: (0x00000006, 0, "EAX"),
    15: (0x8000000A, 0, "EDX"),
    16: (0x00000007, 0, "ECX"),
    17: (0x80000007, 0, "EBX"),
    18: (0x00000007, 0, "EDX"),
    19: (0x8000001F, 0, "EAX"),
}


def die(msg):
    sys.stderr.write("gen-qemu-cpu-models: %s\n" % msg)
    sys.exit(1)


# ---------------------------------------------------------------- QMP


class Qmp:
    """A paused QEMU driven over QMP on stdin/stdout."""

    def __init__(self, args):
        cmd = [QEMU, "-nodefaults", "-nographic", "-display", "none", "-S", "-qmp", "stdio"] + args
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.greeting = self._read()
        if "QMP" not in self.greeting:
            die("%s: no QMP greeting: %s" % (" ".join(cmd), self.greeting))
        self.cmd("qmp_capabilities")

    def _read(self):
        while True:
            line = self.p.stdout.readline()
            if not line:
                return {"eof": self.p.stderr.read()}
            o = json.loads(line)
            if "event" not in o:
                return o

    def cmd(self, name, **args):
        req = {"execute": name}
        if args:
            req["arguments"] = args
        self.p.stdin.write(json.dumps(req) + "\n")
        self.p.stdin.flush()
        r = self._read()
        if "return" not in r:
            die("QMP %s %s failed: %s" % (name, json.dumps(args), r))
        return r["return"]

    def close(self):
        try:
            self.p.stdin.write('{"execute":"quit"}\n')
            self.p.stdin.flush()
        except BrokenPipeError:
            pass
        self.p.wait(timeout=30)


def cpu_words(cpu):
    """{(leaf, subleaf, reg): bits} requested for `-cpu CPU` (kept + filtered)."""
    q = Qmp(["-machine", "microvm", "-accel", "tcg", "-cpu", cpu])
    try:
        path = q.cmd("query-cpus-fast")[0]["qom-path"]
        words = {}
        for prop in ("feature-words", "filtered-features"):
            for w in q.cmd("qom-get", path=path, property=prop):
                key = (w["cpuid-input-eax"], w.get("cpuid-input-ecx", 0), w["cpuid-register"])
                words[key] = words.get(key, 0) | w["features"]
    finally:
        q.close()
    return words


# CPUID[0xD].0 EAX/EDX (XCR0) and [0xD].1 ECX/EDX (XSS) list XSAVE state
# components, not features: QEMU derives them from xsave/avx/mpx/avx512f/pku.
XSTATE_WORDS = {(0xD, 0, "EAX"), (0xD, 0, "EDX"), (0xD, 1, "ECX"), (0xD, 1, "EDX")}


def probe_bit(name, base_words):
    """CPUID bits that `-cpu base,NAME=on` sets beyond `-cpu base`."""
    words = cpu_words("base,%s=on" % name)
    bits = []
    for key, v in sorted(words.items()):
        if key in XSTATE_WORDS:
            continue
        for b in range(32):
            if (v >> b) & 1 and not (base_words.get(key, 0) >> b) & 1:
                bits.append((key[0], key[1], key[2], b))
    return bits


# ---------------------------------------------------------------- ELF


def builtin_defs(binary, names):
    """Read QEMU's builtin_x86_defs from the binary.

    Returns {name: (index, vendor, family, model, stepping, cpuid1_edx)}.
    Each X86CPUDefinition starts with `const char *name`, then u32 level,
    u32 xlevel, char vendor[13], int family, model, stepping, then the
    uint64 features[] array whose first word is FEAT_1_EDX. The name pointer
    is a R_X86_64_RELATIVE relocation whose addend is the name string."""
    data = open(binary, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF")
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    secs = []
    for i in range(shnum):
        nm, typ, _flags, addr, off, size = struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)
        secs.append((nm, typ, addr, off, size))
    stroff = secs[shstrndx][3]

    def secname(n):
        o = stroff + n
        return data[o : data.index(b"\0", o)].decode()

    by = {secname(s[0]): s for s in secs}
    if ".rela.dyn" not in by or ".rodata" not in by:
        raise ValueError("no .rela.dyn/.rodata")

    def vaddr_to_off(va):
        for _nm, typ, addr, off, size in secs:
            if addr and addr <= va < addr + size and typ != 8:  # not NOBITS
                return va - addr + off
        return None

    rel = by[".rela.dyn"]
    relative = {}
    for i in range(rel[4] // 24):
        off, info, addend = struct.unpack_from("<QQq", data, rel[3] + i * 24)
        if info & 0xFFFFFFFF == 8:  # R_X86_64_RELATIVE
            relative.setdefault(addend, []).append(off)
    ro = by[".rodata"]
    rodata = data[ro[3] : ro[3] + ro[4]]
    found = {}
    for name in names:
        pat = name.encode() + b"\0"
        start = 0
        while True:
            i = rodata.find(pat, start)
            if i < 0:
                break
            start = i + 1
            if i and rodata[i - 1] != 0:
                continue
            for ptr in relative.get(ro[2] + i, []):
                o = vaddr_to_off(ptr)
                if o is None:
                    continue
                vendor = data[o + 16 : o + 28]
                if data[o + 28] != 0 or vendor.decode("latin1") not in VENDORS:
                    continue
                fam, mod, step = struct.unpack_from("<iii", data, o + 32)
                edx = struct.unpack_from("<Q", data, o + 48)[0]
                if name in found and found[name][0] != ptr:
                    raise ValueError("two definitions named %s" % name)
                found[name] = (ptr, vendor.decode(), fam, mod, step, edx)
    missing = [n for n in names if n not in found]
    if missing:
        raise ValueError("definitions not found: %s" % ", ".join(missing))
    ptrs = sorted(v[0] for v in found.values())
    strides = {b - a for a, b in zip(ptrs, ptrs[1:])}
    if len(strides) != 1:
        raise ValueError("definitions are not one array (strides %s)" % sorted(strides))
    return {n: (ptrs.index(v[0]),) + v[1:] for n, v in found.items()}


# ---------------------------------------------------------------- Linux


def linux_header():
    paths = sorted(glob.glob("/usr/src/linux-headers-*/arch/x86/include/asm/cpufeatures.h"))
    if not paths:
        die("no /usr/src/linux-headers-*/arch/x86/include/asm/cpufeatures.h; apt-get install linux-headers-$(uname -r | sed s/-amd64//)-common or any linux-headers-*-common")
    return paths[-1]


def linux_features(path):
    """{(leaf, subleaf, reg, bit): (MACRO, cpuinfo-name or None, 'W*32+B')}"""
    text = open(path).read()
    for w, (leaf, _sub, _reg) in LINUX_WORDS.items():
        m = re.search(r"/\*[^\n]*word %d \*/" % w, text)
        if not m or ("0x%08x" % leaf) not in m.group(0).lower():
            die("%s: word %d comment does not name leaf 0x%08x" % (path, w, leaf))
    out = {}
    pat = re.compile(r'#define\s+X86_FEATURE_(\w+)\s+\(\s*(\d+)\s*\*\s*32\s*\+\s*(\d+)\s*\)\s*(?:/\*\s*(.*?)\s*\*/)?')
    for m in pat.finditer(text):
        macro, w, b, comment = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4) or ""
        if w not in LINUX_WORDS:
            continue
        leaf, sub, reg = LINUX_WORDS[w]
        q = re.match(r'"([^"]*)"', comment)
        if q:
            shown = q.group(1) or None
        else:
            shown = macro.lower()
        out[(leaf, sub, reg, b)] = (macro, shown, "%d*32+%d" % (w, b))
    return out


def linux_release(path):
    m = re.search(r"linux-headers-([^/]+)/", path)
    return m.group(1) if m else path


# ---------------------------------------------------------------- generate


def qemu_pkg_version():
    try:
        return subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "qemu-system-x86"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def split_version(name):
    m = re.match(r"^(.*)-v(\d+)$", name)
    return (m.group(1), int(m.group(2))) if m else (name, None)


def generate(args):
    binary = subprocess.run(["sh", "-c", "command -v " + QEMU], capture_output=True, text=True).stdout.strip()
    if not binary:
        die("%s not found; apt-get install qemu-system-x86" % QEMU)
    binary = os.path.realpath(binary)
    pkgver = qemu_pkg_version() or "unknown"

    q = Qmp(["-machine", "none", "-accel", "tcg"])
    qver = q.greeting["QMP"]["version"]
    defs = q.cmd("query-cpu-definitions")
    alias_of = {d["name"]: d.get("alias-of") for d in defs}
    names = sorted(n for n in alias_of if n not in SKIP)
    exp = {}
    for n in names:
        props = q.cmd("query-cpu-model-expansion", type="static", model={"name": n})["model"]["props"]
        exp[n] = props
    q.close()

    # Resolve each name to (base definition, version).
    resolved = {}
    for n in names:
        target = alias_of[n] or n
        base, ver = split_version(target)
        if ver is None:
            die("%s resolves to %s, which has no -vN" % (n, target))
        resolved[n] = (base, ver)
    bases = sorted({b for b, _v in resolved.values()})

    # Candidate properties: booleans true in some model.
    # vme is never true under TCG (see above) but comes back from the
    # definitions, so it is probed too.
    cands = sorted({k for p in exp.values() for k, v in p.items() if v is True} | {"vme"})
    sys.stderr.write("probing %d properties for CPUID bits ...\n" % len(cands))
    base_words = cpu_words("base")
    if any(base_words.values()):
        die("-cpu base sets CPUID feature bits: %s" % base_words)
    where = {}
    dropped = {}
    for c in cands:
        bits = probe_bit(c, base_words)
        if not bits:
            dropped[c] = "sets no CPUID bit (an MSR feature word bit, e.g. IA32_ARCH_CAPABILITIES, or a QEMU setting)"
        elif all(0x40000000 <= b[0] < 0x80000000 for b in bits):
            dropped[c] = "hypervisor (KVM paravirt) leaf 0x%08x" % bits[0][0]
        elif len(bits) != 1:
            dropped[c] = "sets %d CPUID bits: %s" % (len(bits), bits)
        else:
            where[c] = bits[0]

    # Names: Linux /proc/cpuinfo spelling.
    hdr = linux_header()
    lin = linux_features(hdr)
    lrel = linux_release(hdr)
    rows = {}
    qname_to = {}
    for c, pos in sorted(where.items()):
        leaf, sub, reg, bit = pos
        # leaf 1 subleaf: QEMU reports no subleaf for non-indexed leaves (0)
        lx = lin.get(pos)
        if lx:
            macro, shown, wb = lx
            name = shown if shown else macro.lower()
            src = "QEMU %s feature-words for -cpu base,%s=on; Linux %s cpufeatures.h X86_FEATURE_%s (%s)%s" % (
                qver_str(qver), c, lrel, macro, wb, "" if shown else " hidden in /proc/cpuinfo")
        else:
            name = c.replace("-", "_").replace(".", "_")
            src = "QEMU %s feature-words for -cpu base,%s=on; QEMU target/i386/cpu.c feature_word_info name %s (not a Linux CPUID word bit)" % (
                qver_str(qver), c, c)
        if name in rows:
            die("two QEMU properties map to %s: %s and %s" % (name, rows[name][0], c))
        rows[name] = (c, pos, src)
        qname_to[c] = name
    # A Linux name that is defined elsewhere than QEMU puts it would be a
    # contradiction (same spelling, other bit).
    lin_by_name = {}
    for pos, (macro, shown, wb) in lin.items():
        lin_by_name.setdefault(shown or macro.lower(), []).append(pos)
    for name, (c, pos, _src) in rows.items():
        if name in lin_by_name and pos not in lin_by_name[name]:
            die("%s (QEMU %s) at %s, Linux has %s at %s" % (name, c, pos, name, lin_by_name[name]))

    # Definitions in the binary: vme and order.
    try:
        bdefs = builtin_defs(binary, bases)
        vme_note = "vme restored from builtin_x86_defs in %s" % binary
    except (ValueError, OSError, struct.error) as e:
        die("cannot read builtin_x86_defs from %s (%s); vme and order need it" % (binary, e))
    vme_pos = where.get("vme")
    if vme_pos != (1, 0, "EDX", 1):
        die("vme probed at %s" % (vme_pos,))

    models = {}
    for n in names:
        p = exp[n]
        base, ver = resolved[n]
        idx, bvendor, bfam, bmod, _bstep, bedx = bdefs[base]
        feats = {qname_to[k] for k, v in p.items() if v is True and k in qname_to}
        if p.get("vme") is True:
            die("%s: expansion has vme=on under TCG; tcg_default_props changed?" % n)
        if (bedx >> 1) & 1:
            feats.add(qname_to["vme"])
        if p["vendor"] != bvendor:
            die("%s: vendor %s, definition %s" % (n, p["vendor"], bvendor))
        if ver == 1:
            # every CPUID[1].EDX bit of v1 must match the definition
            edx = 0
            for f in feats:
                leaf, sub, reg, bit = rows[f][1]
                if (leaf, reg) == (1, "EDX"):
                    edx |= 1 << bit
            if edx != bedx & 0xFFFFFFFF or (p["family"], p["model"]) != (bfam, bmod):
                die("%s: CPUID[1].EDX %#x family/model %s/%s; builtin_x86_defs %#x %s/%s" % (n, edx, p["family"], p["model"], bedx, bfam, bmod))
        models[n] = {
            "vendor": p["vendor"], "family": p["family"], "model": p["model"], "stepping": p["stepping"],
            "model_id": p["model-id"], "features": feats, "base": base, "ver": ver, "idx": idx,
            "alias": alias_of[n] is not None,
        }

    # Keep aliases; keep a -vN only if no alias points to it and it differs.
    aliased = {alias_of[n] for n in names if alias_of[n]}
    keep = [n for n in names if models[n]["alias"]]
    skipped = []
    versioned = sorted((n for n in names if not models[n]["alias"]), key=lambda n: (models[n]["idx"], models[n]["ver"]))
    for n in versioned:
        m = models[n]
        sig = (m["vendor"], m["family"], m["model"], frozenset(m["features"]))
        same = [k for k in keep if (models[k]["vendor"], models[k]["family"], models[k]["model"], frozenset(models[k]["features"])) == sig]
        if n in aliased:
            skipped.append((n, "alias " + ", ".join(a for a in names if alias_of[a] == n)))
        elif same:
            skipped.append((n, "same CPUID features as " + same[0]))
        else:
            keep.append(n)
    for n in keep:
        models[n]["level"] = psabi_level(models[n]["features"])
    keep.sort(key=lambda n: (models[n]["level"], models[n]["idx"], models[n]["ver"], n))
    order = {}
    count = {}
    for n in keep:
        v = models[n]["vendor"]
        count[v] = count.get(v, 0) + 1
        order[n] = count[v]

    used = sorted({f for n in keep for f in models[n]["features"]})
    write_hcl(keep, models, order, skipped, pkgver, qver, binary, rows)
    write_tsv(used, rows, dropped, where, qname_to, pkgver, lrel)
    sys.stderr.write("%d models, %d feature names, %d properties dropped\n" % (len(keep), len(used), len(dropped)))


# x86-64 psABI micro-architecture levels (x86-64-v1..v4), /proc/cpuinfo names.
PSABI_LEVELS = (
    ("cmov", "cx8", "fpu", "fxsr", "mmx", "syscall", "sse", "sse2", "lm"),
    ("cx16", "lahf_lm", "popcnt", "pni", "sse4_1", "sse4_2", "ssse3"),
    ("avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"),
    ("avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"),
)


def psabi_level(feats):
    level = 0
    for need in PSABI_LEVELS:
        if not all(f in feats for f in need):
            break
        level += 1
    return level


def qver_str(q):
    v = q["qemu"]
    return "%d.%d.%d" % (v["major"], v["minor"], v["micro"])


def sortkey_feat(rows):
    def k(name):
        leaf, sub, reg, bit = rows[name][1]
        return (leaf >= 0x80000000, leaf, sub, REGS.index(reg), bit)
    return k


def write_hcl(keep, models, order, skipped, pkgver, qver, binary, rows):
    L = []
    L.append("# GENERATED by scripts/gen-qemu-cpu-models.py -- do not edit by hand.")
    L.append("# Regenerate: apt-get install qemu-system-x86 linux-headers-<ver>-common; python3 scripts/gen-qemu-cpu-models.py")
    L.append("# (rewrites this file and data/cpuid-bits.tsv; check with --check /work/shared/fixtures/cpuid).")
    L.append("#")
    L.append("# Source: qemu-system-x86 %s (QEMU %s), QMP query-cpu-model-expansion type=static on" % (pkgver, qver_str(qver)))
    L.append("# -machine none -accel tcg. features = every true boolean property that is a CPUID feature")
    L.append("# bit (data/cpuid-bits.tsv), in /proc/cpuinfo spelling. vme: TCG forces it off, so it is")
    novme = sorted({models[n]["base"] for n in keep if "vme" not in models[n]["features"]})
    L.append("# taken from the model's builtin_x86_defs entry in the binary (defined by all but: %s)." % (", ".join(novme) or "none"))
    L.append("# QEMU adds `hypervisor` to every model. NOT applied: KVM's defaults")
    L.append("# (kvm_default_props) which under KVM add x2apic and drop acpi, monitor and svm (svm takes")
    L.append("# npt/nrip_save/... with it).")
    L.append("# order: numbered per vendor from 1, sorted by (1) the x86-64 psABI level the model's")
    L.append("# features reach (0 = not even x86-64-v1, ... 4 = x86-64-v4), then (2) the position of the")
    L.append("# model's definition in QEMU's builtin_x86_defs (source order, oldest first within a line),")
    L.append("# then (3) version. The level puts the Atom side line where its ISA belongs (Denverton and")
    L.append("# Snowridge have no AVX: after IvyBridge, before Haswell) instead of after Icelake-Server")
    L.append("# as in QEMU's list. order is not feature inclusion: a higher model need not contain a")
    L.append("# lower one (Denverton has sha_ni, SandyBridge does not).")
    L.append("# family/model/stepping: as the expansion reports them (decimal).")
    L.append("# Skipped versioned names (alias kept instead, or identical CPUID features):")
    for n, why in skipped:
        L.append("#   %s: %s" % (n, why))
    L.append("schema 1")
    k = sortkey_feat(rows)
    for n in keep:
        m = models[n]
        L.append("# %s: model-id \"%s\", stepping %d, %s-v%d, x86-64-v%d" % (n, m["model_id"], m["stepping"], m["base"], m["ver"], m["level"]))
        L.append('cpumodel id=qemu/%s vendor=%s order=%d family=%d model=%d features=%s source="qemu-system-x86 %s query-cpu-model-expansion static"' % (
            n, m["vendor"], order[n], m["family"], m["model"], ",".join(sorted(m["features"], key=k)), pkgver))
    os.makedirs(os.path.dirname(HCL_OUT), exist_ok=True)
    with open(HCL_OUT, "w") as f:
        f.write("\n".join(L) + "\n")


def write_tsv(used, rows, dropped, where, qname_to, pkgver, lrel):
    L = []
    L.append("# GENERATED by scripts/gen-qemu-cpu-models.py -- do not edit by hand; see that script.")
    L.append("# One row per CPUID feature name used in data/hcl/qemu-cpu-models.hcl. Positions are what")
    L.append("# qemu-system-x86 %s sets for -cpu base,NAME=on (QOM feature-words), each checked" % pkgver)
    L.append("# against Linux %s arch/x86/include/asm/cpufeatures.h where Linux has that CPUID word." % lrel)
    L.append("# leaf hex, subleaf decimal (0 for leaves without subleaves), reg EAX..EDX, bit 0-31.")
    # Keep every line well under 512 bytes (hcl/cpuid_bits.c reads with fgets into 512).
    ren = ["%s=%s" % (q, n) for q, n in sorted(qname_to.items()) if n in used and q != n]
    L.append("# QEMU property -> name here, where they differ:")
    for i in range(0, len(ren), 6):
        L.append("#   " + ", ".join(ren[i : i + 6]))
    L.append("# QEMU properties true in some model but dropped (no plain CPUID feature bit):")
    for c, why in sorted(dropped.items()):
        L.append("#   %s: %s" % (c, why))
    L.append("name\tleaf\tsubleaf\treg\tbit\tsource")
    for name in sorted(used, key=sortkey_feat(rows)):
        c, (leaf, sub, reg, bit), src = rows[name]
        L.append("%s\t0x%08x\t%d\t%s\t%d\t%s" % (name, leaf, sub, reg, bit, src))
    long = [l for l in L if len(l) > 400]
    if long:
        die("cpuid-bits.tsv line too long: %s" % long[0][:80])
    with open(TSV_OUT, "w") as f:
        f.write("\n".join(L) + "\n")


# ---------------------------------------------------------------- check


def load_tsv(path):
    bits = {}
    header = False
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        if not header:
            header = True
            continue
        name, leaf, sub, reg, bit = line.rstrip("\n").split("\t")[:5]
        bits[name] = (int(leaf, 16), int(sub), REGS.index(reg), int(bit))
    return bits


def load_models(path):
    out = []
    for line in open(path):
        if not line.startswith("cpumodel "):
            continue
        f = dict(re.findall(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)', line))
        out.append({
            "id": f["id"], "vendor": f["vendor"], "order": int(f["order"]),
            "features": f["features"].split(","),
        })
    return out


def load_aida(path):
    """Registers of the first logical CPU: {(leaf, subleaf): [eax, ebx, ecx, edx]}.

    The first block of `CPUID LLLLLLLL: EAX-EBX-ECX-EDX [SL nn]` lines, up
    to the next leaf-0 line (some dumps have a `Logical CPU #0` header,
    some start with the registers)."""
    regs = {}
    pat = re.compile(r"CPUID ([0-9A-Fa-f]{8}): ([0-9A-Fa-f]{8})-([0-9A-Fa-f]{8})-([0-9A-Fa-f]{8})-([0-9A-Fa-f]{8})(?:\s+\[SL ([0-9A-Fa-f]{2})\])?")
    for line in open(path, encoding="utf-8", errors="replace"):
        if line.startswith("------[ CPUID Registers / Logical CPU #") and regs:
            break
        m = pat.match(line)
        if not m:
            continue
        leaf = int(m.group(1), 16)
        if leaf == 0 and regs:
            break
        sub = int(m.group(6), 16) if m.group(6) else 0
        regs.setdefault((leaf, sub), [int(m.group(i), 16) for i in range(2, 6)])
    return regs


def has_bit(regs, leaf, sub, reg, bit):
    base = leaf & 0xFFFF0000
    top = regs.get((base, 0))
    if not top or leaf > top[0]:
        return False
    v = regs.get((leaf, sub))
    return bool(v and (v[reg] >> bit) & 1)


def check(args):
    bits = load_tsv(args.bits)
    models = load_models(args.models)
    ignore = set(args.ignore.split(",")) if args.ignore else set()
    for m in models:
        for f in m["features"]:
            if f not in bits:
                die("%s: feature %s has no row in %s" % (m["id"], f, args.bits))
    print("%-48s %-12s %-28s %s" % ("dump", "vendor", "newest model (strict)", "newest ignoring " + (",".join(sorted(ignore)) or "-")))
    for path in sorted(glob.glob(os.path.join(args.check, "*.txt"))):
        regs = load_aida(path)
        if (0, 0) not in regs:
            print("%-48s no CPUID for CPU #0" % os.path.basename(path))
            continue
        r0 = regs[(0, 0)]
        vendor = struct.pack("<III", r0[1], r0[3], r0[2]).decode("latin1")
        eax1 = regs.get((1, 0), [0])[0]
        fam = (eax1 >> 8) & 0xF
        mod = (eax1 >> 4) & 0xF
        if fam in (6, 15):
            mod |= ((eax1 >> 16) & 0xF) << 4
        if fam == 15:
            fam += (eax1 >> 20) & 0xFF

        def best(ign):
            cands = []
            for m in models:
                if m["vendor"] != vendor:
                    continue
                miss = [f for f in m["features"] if f not in ign and not has_bit(regs, *bits[f])]
                if not miss:
                    cands.append(m)
            return max(cands, key=lambda m: m["order"]) if cands else None

        def missing_of(mid):
            for m in models:
                if m["id"] == mid:
                    return [f for f in m["features"] if not has_bit(regs, *bits[f])]
            return None

        b0, b1 = best(set()), best(ignore)
        line = "%-48s %-12s %-28s %s" % (os.path.basename(path)[:48], vendor, b0["id"] if b0 else "-", b1["id"] if b1 else "-")
        print(line + "   (f%d m%d)" % (fam, mod))
        for mid in args.why or []:
            miss = missing_of(mid)
            if miss is not None and any(m["vendor"] == vendor and m["id"] == mid for m in models):
                print("    %s missing: %s" % (mid, ",".join(miss) or "-"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", metavar="DIR", help="check AIDA64 CPUID dumps DIR/*.txt against the generated files")
    ap.add_argument("--models", default=HCL_OUT)
    ap.add_argument("--bits", default=TSV_OUT)
    ap.add_argument("--ignore", default="hypervisor", help="comma list of features the second --check column ignores (default hypervisor)")
    ap.add_argument("--why", action="append", metavar="MODEL_ID", help="with --check: print what the dump lacks for MODEL_ID (repeatable)")
    args = ap.parse_args()
    if args.check:
        check(args)
    else:
        generate(args)


if __name__ == "__main__":
    main()
