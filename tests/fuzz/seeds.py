#!/usr/bin/env python3
"""Seeds the fuzz targets for which no real file exists here, or whose input
is a script of our own format: python3 tests/fuzz/seeds.py TARGET DIR.
Each seed is what the real producer writes: a bench results file after
docs/bench-json.md, a guest ELF as bench/guests/kit/link.ld lays it out,
the register sequence of bench/guests/kit/virtio.c's driver, a kernel's
module lists (derived from tests/data/import at run time)."""
import json
import os
import struct
import sys


def bench(out):
    nano_ops = ["-", "cpuid", "rdtsc", "pio_out", "lapic_timer"]
    modes = ["native", "qemu-tcg", "bt", "kvm", "kvm-pvm"]
    results, counters = [], []
    for mi, mode in enumerate(modes):
        for wl in ("crc32", "matmul", "memcpy"):
            s = [1000.0 * (mi + 1) + k for k in range(5)]
            results.append({"guest": "compute", "workload": wl, "mode": mode, "iters": 20, "checksum": "0x1234",
                            "matches_native": True, "cycles_per_iter": s, "wall_ms": [5.0] * 5,
                            "median": s[2], "min": s[0], "spread": 0.002, "overhead_vs_native": mi + 1.0,
                            "suspect": None if mode != "kvm" else "over 50x native"})
        if mode == "native":
            continue
        for op in nano_ops[1:]:
            s = [300.0 * (mi + 1)] * 3
            results.append({"guest": "nanobench", "workload": op, "mode": mode, "iters": 1000,
                            "cycles_per_iter": s, "median": s[0], "min": s[0], "spread": 0.0})
        for op in nano_ops:
            for rep in range(3):
                counters.append({"guest": "nanobench", "workload": op, "mode": mode, "rep": rep,
                                 "counters": {"exits_io": 3113 + rep, "kvm_exits": 2000, "kvm_insn_emulation": 7,
                                              "bt_callouts": 5523, "bt_signals": 547, "bt_blocks": 640}})
    doc = {"schema": "hvcert-bench/1", "label": "qemu 1:7.2+dfsg-7+deb12u15", "date": "2026-11-25T13:26:58Z",
           "hvcert": "fuzz", "options": {"modes": None, "guests": None, "args": "", "reps": 5, "timeout_s": 300},
           "modes": [{"name": m, "available": True, "reason": "", "version": "v", "smoke_ms": 10.0} for m in modes],
           "guests": [{"name": "compute", "file": "build/guests/compute.elf", "hash": "fnv1a64:0"}],
           "results": results,
           "failures": [{"guest": "compute", "mode": "bt", "rep": 0, "status": 256, "output": "x"}],
           "vmm_counters": counters,
           "host": {"cpu": "c", "platform": "p", "kernel": "k", "kvm": "none", "pmu": "unavailable: x"}}
    write(out, "bench.json", json.dumps(doc, indent=1).encode())
    doc["results"] = results[:4]
    doc["vmm_counters"] = counters[:6]
    write(out, "small.json", json.dumps(doc).encode())


def elf(out):
    """ET_EXEC x86-64: a text segment at 1 MiB (entry inside), a bss-like
    data segment, and a PT_NOTE with the hvcert features note."""
    code = b"\xf4" * 64
    note = struct.pack("<III", 7, 4, 1) + b"hvcert\0\0" + struct.pack("<I", 1)
    phnum, ehsize, phsize = 3, 64, 56
    off_code = ehsize + phnum * phsize
    off_note = off_code + len(code)
    eh = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    eh += struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, 0x100000, ehsize, 0, 0, ehsize, phsize, phnum, 64, 0, 0)
    ph = struct.pack("<IIQQQQQQ", 1, 5, off_code, 0x100000, 0x100000, len(code), len(code), 0x1000)
    ph += struct.pack("<IIQQQQQQ", 1, 6, off_note, 0x101000, 0x101000, 0, 0x2000, 0x1000)
    ph += struct.pack("<IIQQQQQQ", 4, 4, off_note, 0, 0, len(note), len(note), 4)
    write(out, "pvh-like.elf", eh + ph + code + note)


# fuzz_virtio_blk's script (see the file's first comment).
def mw(off, val, n=4):
    return bytes([0]) + struct.pack("<HB", off, n - 1) + val.to_bytes(8, "little")[:n]


def mr(off, n=4):
    return bytes([1]) + struct.pack("<HB", off, n - 1)


def ram(gpa, data):
    b = b""
    for i in range(0, len(data), 255):
        part = data[i:i + 255]
        b += bytes([2]) + struct.pack("<HB", gpa + i, len(part)) + part
    return b


def notify(slot, q):
    return bytes([3, slot, q])


DESC, AVAIL, USED, QN = 0x1000, 0x2000, 0x3000, 8


def driver_init(slot, q):
    b = 0x200 * slot
    s = mw(b + 0x70, 0) + mr(b + 0x00) + mr(b + 0x04) + mr(b + 0x08) + mw(b + 0x70, 1) + mw(b + 0x70, 3)
    s += mw(b + 0x14, 1) + mr(b + 0x10) + mw(b + 0x24, 1) + mw(b + 0x20, 1) + mw(b + 0x24, 0)
    s += mw(b + 0x20, 0x200) + mw(b + 0x70, 0xb) + mr(b + 0x70) + mw(b + 0x30, q) + mr(b + 0x34)
    s += mw(b + 0x38, QN) + mw(b + 0x80, DESC) + mw(b + 0x84, 0) + mw(b + 0x90, AVAIL) + mw(b + 0x94, 0)
    s += mw(b + 0xa0, USED) + mw(b + 0xa4, 0) + mw(b + 0x44, 1) + mr(b + 0x44) + mw(b + 0x70, 0xf)
    return s + mr(b + 0x100, 8) + mr(b + 0x104, 4) + mr(b + 0xfc)


def desc(i, addr, n, flags, nxt):
    return ram(DESC + 16 * i, struct.pack("<QIHH", addr, n, flags, nxt))


def offer(idx, head):
    return ram(AVAIL + 4 + 2 * ((idx - 1) % QN), struct.pack("<H", head)) + ram(AVAIL, struct.pack("<HH", 0, idx))


def blk_req(idx, typ, sector, n):
    s = ram(0x4000, struct.pack("<IIQ", typ, 0, sector)) + ram(0x6000, b"\xee")
    if typ == 1:
        s += ram(0x5000, bytes(range(256)) * (n // 256))
    s += desc(0, 0x4000, 16, 1, 1) + desc(1, 0x5000, n, 1 | (2 if typ == 0 else 0), 2) + desc(2, 0x6000, 1, 2, 0)
    return s + offer(idx, 0) + notify(1, 0) + mr(0x200 + 0x60) + mw(0x200 + 0x64, 1)


def virtio_blk(out):
    rw = driver_init(1, 0) + blk_req(1, 1, 3, 1024) + blk_req(2, 0, 3, 1024)
    write(out, "write-read", rw)
    write(out, "flush-getid-past-end", driver_init(1, 0) + blk_req(1, 4, 0, 512) + blk_req(2, 8, 0, 512) +
          blk_req(3, 0, 63, 1024) + blk_req(4, 0, 1 << 55, 512))
    con = driver_init(0, 1) + ram(0x5000, b"hello\n") + desc(0, 0x5000, 6, 0, 0) + offer(1, 0) + notify(0, 1)
    write(out, "console-and-blk", con + driver_init(1, 0) + blk_req(1, 1, 0, 512) + mw(0x270, 0) + mr(0x270))


def modalias(out, data="tests/data/import"):
    alias = open(os.path.join(data, "modules/modules.alias"), "rb").read()
    builtin = open(os.path.join(data, "builtin-6.12/modules.builtin"), "rb").read()
    # modules.builtin.modinfo as the kernel writes it: module.key=value, NUL-separated.
    modinfo = b""
    for line in alias.splitlines():
        f = line.split()
        if len(f) == 3 and f[0] == b"alias":
            modinfo += f[2] + b".alias=" + f[1] + b"\0" + f[2] + b".license=GPL\0"
    # The last alias's driver listed as built in, so import_builtin_ids finds it.
    last = [l.split()[2] for l in alias.splitlines() if l.startswith(b"alias pci:")][-1]
    builtin += b"kernel/drivers/x/" + last.replace(b"_", b"-") + b".ko\n"
    write(out, "alias-only", alias)
    write(out, "alias-modinfo-builtin", alias + b"\n%%\n" + modinfo + b"\n%%\n" + builtin)


def write(out, name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


if __name__ == "__main__":
    {"fuzz_bench": bench, "fuzz_elf": elf, "fuzz_virtio_blk": virtio_blk, "fuzz_modalias": modalias}[sys.argv[1]](
        sys.argv[2])
