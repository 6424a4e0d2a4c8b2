#!/usr/bin/env python3
"""`make bench-bt`'s table: from one hvcert bench run (native, bt, qemu-tcg in
the same run), per compute kernel the bt/native and tcg/bt ratios and their
geometric means; the nanobenchmarks in cycles/op under bt and TCG, with KVM's
from the nested rig's log when there is one (a functional check only: the rig
runs KVM inside QEMU TCG, so its timings are TCG's)."""
import json, math, re, sys

def medians(d):
    m = {}
    for r in d["results"]:
        m[(r["guest"], r["workload"], r["mode"])] = r["median"]
    return m

def geomean(v):
    return math.exp(sum(math.log(x) for x in v) / len(v)) if v else float("nan")

def main(path, rig_log=None):
    d = json.load(open(path))
    m = medians(d)
    kernels = sorted({w for (g, w, mode) in m if g == "compute"})
    print(f"bench-bt: {d.get('date', '?')}, {d.get('options', {}).get('reps', '?')} reps, medians of cycles/iteration (guest RDTSC)")
    print(f"{'kernel':8} {'native':>12} {'bt':>12} {'qemu-tcg':>12} {'bt/native':>10} {'tcg/bt':>8} {'tcg/native':>10}")
    btn, tcgbt, impossible = [], [], []
    for k in kernels:
        n, b, t = (m.get(("compute", k, x)) for x in ("native", "bt", "qemu-tcg"))
        if not (n and b):
            continue
        r1 = b / n
        btn.append(r1)
        line = f"{k:8} {n:12.0f} {b:12.0f} {t or 0:12.0f} {r1:10.2f}"
        if t:
            tcgbt.append(t / b)
            line += f" {t / b:8.2f} {t / n:10.2f}"
            if t / n < 3:
                impossible.append(k)
        print(line)
    print(f"geometric mean: bt/native {geomean(btn):.2f} (target <= 1.3), tcg/bt {geomean(tcgbt):.2f} (target >= 3)")
    if impossible:
        print("  3x faster than TCG would need bt faster than native for: " + ", ".join(impossible) +
              " (TCG is within 3x of native there)")
    nano = sorted({w for (g, w, mode) in m if g == "nanobench"})
    kvm = {}
    if rig_log:
        try:
            for line in open(rig_log, errors="replace"):
                r = re.match(r"@result name=(\S+) iters=(\d+) cycles=(\d+)", line)
                if r:
                    kvm[r.group(1)] = int(r.group(3)) / int(r.group(2))
        except OSError:
            pass
    print()
    print(f"{'nanobench':12} {'bt':>10} {'qemu-tcg':>10} {'kvm(rig)':>10}   cycles/op")
    for w in nano:
        b, t = m.get(("nanobench", w, "bt")), m.get(("nanobench", w, "qemu-tcg"))
        k = kvm.get(w)
        print(f"{w:12} {b or 0:10.0f} {t or 0:10.0f} {k if k else float('nan'):10.0f}")
    if not kvm:
        print("  (kvm column: run `make test-kvm` first; the rig's log is build/rig/nanobench.log)")
    print("  Adams & Agesen (ASPLOS 2006) measured the same operations on a 2006 Pentium 4 for VMware's")
    print("  translator and for VT-x; their figures are not restated here: no copy of the paper could be")
    print("  checked from this machine, and numbers quoted from memory would not be honest.")

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
