# rhel.hcl -- Red Hat Enterprise Linux (as a KVM virtualization host): x86-64 CPU requirements.
# Factual data only: every record names its source; source ids/URLs are listed in SOURCES.md.
# Anything that could not be verified is NOT here (see "Not encoded" in SOURCES.md).
# level=N means the x86-64-vN microarchitecture level (psABI); the leapp flag lists cited below
# use /proc/cpuinfo spelling.
schema 1

# ---- releases ----
release id=rhel/8 line=rhel version=8 name="Red Hat Enterprise Linux 8" devices=partial classes=01,02,0c04,12 source="RHEL 8 release notes"
release id=rhel/9 line=rhel version=9 name="Red Hat Enterprise Linux 9" devices=partial classes=01,02,0c04,12 after=rhel/8 source="RHEL 9 release notes"
release id=rhel/10 line=rhel version=10 name="Red Hat Enterprise Linux 10" devices=partial classes=01,02,0c04,12 after=rhel/9 source="RHEL 10 release notes"

# ---- KVM host ----
require release=rhel/* virt=hw state=unsupported source="Red Hat Virtualization 4.2 Installation Guide 1.2.1 CPU Requirements (RHEL-based KVM host): AMD-V or Intel VT hardware virtualization extensions enabled"

# ---- x86-64 microarchitecture level ----
require release=rhel/8 level=1 state=unsupported source="leapp-repository checkmicroarchitecture (RHEL 9 'has a higher CPU requirement than older versions'; x86-64 baseline flags cmov,cx8,fpu,fxsr,mmx,syscall,sse,sse2)"
require release=rhel/9 level=2 state=unsupported source="RHEL 9.0 and 9.5 release notes, ch. 2 Architectures: AMD and Intel 64-bit architectures (x86-64-v2); leapp checkmicroarchitecture (RHEL 9 requires x86-64-v2)"
require release=rhel/9 level=3 state=deprecated source="CentOS Stream 9 kernel MR 3972 (RHEL-22439) 'arch/x86: mark x86_64-v1 and x86_64-v2 processors as deprecated': RHEL 10 has a minimum of x86_64-v3"
require release=rhel/10 level=3 state=unsupported source="leapp checkmicroarchitecture (RHEL 10 requires x86-64-v3, link 'Building RHEL 10 for the x86-64-v3 microarchitecture level'); CentOS Stream 9 kernel MR 3972 (RHEL-22439)"
