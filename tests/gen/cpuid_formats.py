#!/usr/bin/env python3
"""Writes the CPUID records of an AIDA64 dump in the other layouts hvcert reads,
so each reader is tested on every fixture's real registers (Intel too, where
this project has no machine of its own):

  cpuid_formats.py FIXTURE OUTDIR
    OUTDIR/cpuid-r.txt    `cpuid -r` layout, one "CPU n:" block per logical CPU
    OUTDIR/instlat.txt    bare InstLatx64 layout (no header, no [SL nn]: a leaf's
                          subleaves are its consecutive repeats, so only subleaves
                          0..k without a gap are written)
    OUTDIR/libcpuid.raw   libcpuid 0.6 raw layout (its fixed arrays; leaves the
                          dump lacks are written as zeros, as libcpuid would)
    OUTDIR/hwloc/puN      hwloc-gather-cpuid layout, one file per logical CPU
    OUTDIR/cpus           the number of logical CPUs written

The AIDA64 text is parsed here on its own (not by hvcert), so the unit test
compares two independent readings of the same registers."""
import os
import re
import sys

REC = re.compile(r'^\s*CPUID\s+([0-9A-Fa-f]{8})\s*:\s*([0-9A-Fa-f]{8})-([0-9A-Fa-f]{8})-([0-9A-Fa-f]{8})-([0-9A-Fa-f]{8})(.*)$')
SL = re.compile(r'\[SL\s*([0-9A-Fa-f]+)\]')


def read_aida(path):
    data = open(path, 'rb').read()
    if data[:2] == b'\xff\xfe':
        text = data[2:].decode('utf-16-le', 'replace')
    else:
        text = data.decode('latin-1')
    cpus, order, cpu, last, rep = {}, [], None, None, 0
    for line in text.splitlines():
        s = line.strip()
        if s.startswith('------[') or s.startswith('-----['):
            m = re.search(r'CPU #(\d+)', s)
            cpu = int(m.group(1)) if m else (0 if 'MSR' in s else None)
            last, rep = None, 0
            continue
        m = REC.match(line)
        if not m:
            continue
        if cpu is None:
            cpu = 0
        leaf = int(m.group(1), 16)
        regs = [int(m.group(i), 16) for i in range(2, 6)]
        sl = SL.search(m.group(6))
        rep = rep + 1 if leaf == last else 0
        last = leaf
        sub = int(sl.group(1), 16) if sl else rep
        if cpu not in cpus:
            cpus[cpu] = []
            order.append(cpu)
        if all((l, s2) != (leaf, sub) for l, s2, _ in cpus[cpu]):
            cpus[cpu].append((leaf, sub, regs))
    return [cpus[c] for c in order]


def write(path, text):
    with open(path, 'w') as f:
        f.write(text)


def cpuid_r(cpus):
    out = []
    for n, recs in enumerate(cpus):
        out.append('CPU %d:\n' % n)
        for leaf, sub, r in recs:
            out.append('   0x%08x 0x%02x: eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x\n' % (leaf, sub, *r))
    return ''.join(out)


def contiguous(recs):
    """Records whose subleaf is reachable by counting repeats from 0."""
    by = {}
    for leaf, sub, r in recs:
        by.setdefault(leaf, {})[sub] = r
    out = []
    for leaf, sub, r in recs:
        if all(k in by[leaf] for k in range(sub)) and sub < len(by[leaf]):
            out.append((leaf, sub, r))
    # in leaf order, subleaves ascending: the layout numbers them by position
    seen, res = set(), []
    for leaf, _, _ in out:
        if leaf in seen:
            continue
        seen.add(leaf)
        res += sorted((x for x in out if x[0] == leaf), key=lambda x: x[1])
    return res


def instlat(cpus):
    out = []
    for recs in cpus:
        for leaf, sub, r in contiguous(recs):
            out.append('CPUID %08X  \t%08X-%08X-%08X-%08X\n' % (leaf, *r))
    return ''.join(out)


ARRS = [('basic_cpuid', 0, 32, False), ('ext_cpuid', 0x80000000, 32, False), ('intel_fn4', 4, 8, True),
        ('intel_fn11', 0xB, 4, True), ('intel_fn12h', 0x12, 4, True), ('intel_fn14h', 0x14, 4, True),
        ('amd_fn8000001dh', 0x8000001D, 4, True)]


def libcpuid(cpus):
    out = ['version=0.6.2\n']
    for n, recs in enumerate(cpus):
        have = {(l, s): r for l, s, r in recs}
        out.append('\n_________________ Logical CPU #%d _________________\n' % n)
        for name, base, count, by_sub in ARRS:
            for i in range(count):
                key = (base, i) if by_sub else (base + i, 0)
                r = have.get(key, [0, 0, 0, 0])
                out.append('%s[%d]=%08x %08x %08x %08x\n' % (name, i, *r))
    return ''.join(out)


def hwloc(cpus, outdir):
    d = os.path.join(outdir, 'hwloc')
    os.makedirs(d, exist_ok=True)
    for n, recs in enumerate(cpus):
        subs = {}
        for leaf, sub, _ in recs:
            subs.setdefault(leaf, set()).add(sub)
        lines = ['# mask e[abcd]x => e[abcd]x\n']
        for leaf, sub, r in recs:
            mask = 5 if subs[leaf] != {0} else 1
            lines.append('%x %x 0 %x 0 => %x %x %x %x\n' % (mask, leaf, sub, *r))
        write(os.path.join(d, 'pu%d' % n), ''.join(lines))
    write(os.path.join(d, 'hwloc-cpuid-info'), 'Architecture: x86\n')


def main():
    src, outdir = sys.argv[1], sys.argv[2]
    cpus = read_aida(src)
    os.makedirs(outdir, exist_ok=True)
    write(os.path.join(outdir, 'cpuid-r.txt'), cpuid_r(cpus))
    write(os.path.join(outdir, 'instlat.txt'), instlat(cpus))
    write(os.path.join(outdir, 'libcpuid.raw'), libcpuid(cpus))
    hwloc(cpus, outdir)
    write(os.path.join(outdir, 'cpus'), '%d\n' % len(cpus))


if __name__ == '__main__':
    main()
