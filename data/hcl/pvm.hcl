# PVM, the Pagetable-based Virtual Machine (Huang et al., SOSP 2023): a KVM
# vendor module, kvm_pvm, that runs guests at hardware CPL 3 under shadow
# paging, so a host needs no VT-x/AMD-V (and a cloud VM can host it without
# nested virtualization). Guest kernels must be PVM-aware (Linux
# CONFIG_PVM_GUEST; our reference guests in their PVM mode); unmodified
# kernels run, but their privileged code is emulated.
# Host device drivers are the host kernel's, not PVM's: no PCI classes are judged.
schema 1

release id=pvm/virt-pvm line=pvm version=virt-pvm name="PVM host (kvm_pvm, PVM-aware guests)" devices=partial source="github virt-pvm/linux: Documentation/virt/kvm/x86/pvm-spec.rst, arch/x86/kvm/pvm/pvm.c"

# The PVM modes are IA-32e modes: a 64-bit host and guest only.
require release=pvm/* feature=lm state=unsupported source="virt-pvm/linux Documentation/virt/kvm/x86/pvm-spec.rst 'PVM modes and states': three modes, all modified IA-32e mode"
# kvm_pvm refuses to load without these (pr_warn and -EOPNOTSUPP in hardware_cap_check()).
require release=pvm/* feature=fsgsbase state=unsupported source="virt-pvm/linux arch/x86/kvm/pvm/pvm.c hardware_cap_check(): 'FSGSBASE is required per PVM specification' (spec: underlying CR4.FSGSBASE=1)"
require release=pvm/* feature=rdtscp state=unsupported source="virt-pvm/linux arch/x86/kvm/pvm/pvm.c hardware_cap_check(): 'RDTSCP is required to support for getcpu in guest vdso'"
require release=pvm/* feature=cx16 state=unsupported source="virt-pvm/linux arch/x86/kvm/pvm/pvm.c hardware_cap_check(): 'CMPXCHG16B is required for guest'"
require release=pvm/* virt=no-kpti state=unsupported source="virt-pvm/linux arch/x86/kvm/pvm/pvm.c hardware_cap_check(): X86_FEATURE_PTI set -> 'Support for host KPTI is not included yet' (the switcher cannot run with KPTI)"
# The host kernel: kvm_pvm serving /dev/kvm. A host not yet running one is a
# kernel to install, not unfit hardware: WARN.
require release=pvm/* virt=pvm state=deprecated source="virt-pvm/linux arch/x86/kvm/pvm/pvm.c pvm_init(): kvm_x86_vendor_init(&pvm_init_ops) registers kvm_pvm as the KVM vendor module behind /dev/kvm"
