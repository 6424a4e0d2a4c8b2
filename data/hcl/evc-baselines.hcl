# evc-baselines.hcl -- VMware EVC (Enhanced vMotion Compatibility) baselines as cumulative CPU
# feature ladders. `adds` uses Linux /proc/cpuinfo flag names and lists only what the mode adds
# over the lower-order mode of the same vendor.
# Mode names, keys and order: VMware KB 1003212 / KB 1005764 and VMware PowerCLI EVC keys.
# The KB's per-mode feature table could not be retrieved; per-mode additions are therefore taken
# from the matching processor generation in LLVM X86.td (ProcessorFeatures) plus the VMware
# statements quoted in SOURCES.md. They are generation ISA deltas, not VMware's exact CPUID masks.
# AMD: only the B-track (Opteron Gen 3 no 3DNow! and later Opteron) is encoded; see SOURCES.md.
schema 1

# ---- Intel (EVC levels L0..L8) ----
baseline id=intel-merom vendor=GenuineIntel order=1 name="Intel Merom Generation (Xeon Core 2)" adds=lm,nx,pni,ssse3,cx16,lahf_lm source="KB 1003212 (L0; EVC needs XD enabled); KB 1991 (Core-based Xeon: SSSE3); LLVM X86.td core2"
baseline id=intel-penryn vendor=GenuineIntel order=2 name="Intel Penryn Generation (Xeon 45nm Core 2)" adds=sse4_1 source="KB 1003212 (L1); vSphere 6.7 docs 'Determine the EVC Mode of a Virtual Machine' (Penryn mode exposes SSE4.1); LLVM X86.td penryn"
baseline id=intel-nehalem vendor=GenuineIntel order=3 name="Intel Nehalem Generation (Xeon Core i7)" adds=sse4_2,popcnt source="KB 1003212 (L2); LLVM X86.td NHMFeatures = x86-64-v2 (SSE4.2, POPCNT)"
baseline id=intel-westmere vendor=GenuineIntel order=4 name="Intel Westmere Generation (Xeon 32nm Core i7)" adds=aes,pclmulqdq source="KB 1003212 (L3); KB 1991 (AES as a vMotion compatibility group boundary); LLVM X86.td WSMAdditionalFeatures (PCLMUL)"
baseline id=intel-sandybridge vendor=GenuineIntel order=5 name="Intel Sandy Bridge Generation" adds=avx,xsave source="KB 1003212 (L4); LLVM X86.td SNBAdditionalFeatures (XSAVEOPT left out, see SOURCES.md); William Lam 2023-10 (XSAVE introduced with Sandy Bridge)"
baseline id=intel-ivybridge vendor=GenuineIntel order=6 name="Intel Ivy Bridge Generation" adds=rdrand,f16c,fsgsbase source="KB 1003212 (L5); LLVM X86.td IVBAdditionalFeatures"
baseline id=intel-haswell vendor=GenuineIntel order=7 name="Intel Haswell Generation" adds=avx2,bmi1,bmi2,fma,movbe,invpcid,abm source="KB 1003212 (L6); LLVM X86.td HSWAdditionalFeatures (LZCNT = Linux abm)"
baseline id=intel-broadwell vendor=GenuineIntel order=8 name="Intel Broadwell Generation" adds=adx,rdseed,3dnowprefetch source="KB 1003212 (L7); LLVM X86.td BDWAdditionalFeatures (PRFCHW = Linux 3dnowprefetch)"
baseline id=intel-skylake vendor=GenuineIntel order=9 name="Intel Skylake Generation" adds=xsavec,xsaves,clflushopt,avx512f,avx512cd,avx512dq,avx512bw,avx512vl,pku,clwb source="KB 1003212 (L8); LLVM X86.td SKXAdditionalFeatures (skylake-avx512)"

# ---- AMD (EVC B-track: levels B0.. ) ----
baseline id=amd-greyhound-no3dnow vendor=AuthenticAMD order=1 name="AMD Opteron Generation 3 (no 3DNow!)" adds=lm,nx,pni,cx16,lahf_lm,sse4a,abm,popcnt,3dnowprefetch source="KB 1003212 (B0, common to A and B tracks; EVC needs NX enabled); LLVM X86.td BarcelonaFeatures without 3DNow!"
baseline id=amd-bulldozer vendor=AuthenticAMD order=2 name="AMD Opteron Generation 4 (Bulldozer)" adds=ssse3,sse4_1,sse4_2,avx,xop,fma4,aes,pclmulqdq,xsave source="KB 1003212 (Gen 4 includes Gen 3 no 3DNow!); LLVM X86.td BdVer1Features (XOP implies FMA4/AVX/SSE4.2)"
baseline id=amd-piledriver vendor=AuthenticAMD order=3 name="AMD Piledriver Generation" adds=f16c,bmi1,tbm,fma source="VMware PowerCLI EVC keys (amd-piledriver); LLVM X86.td BdVer2AdditionalFeatures"
baseline id=amd-steamroller vendor=AuthenticAMD order=4 name="AMD Steamroller Generation" adds=xsaveopt,fsgsbase source="VMware PowerCLI EVC keys (amd-steamroller); LLVM X86.td BdVer3AdditionalFeatures"
