# KVM host releases: the kernels Debian 12 ships (bookworm 6.1 and the
# bookworm-security/backports 6.12 line). Their device lists are generated
# from each kernel's modules.alias: kvm-linux-*.hcl (scripts/gen-kvm-hcl.sh).
schema 1

release id=kvm/linux-6.1 line=kvm version=6.1 name="Linux 6.1 KVM (Debian 12 linux-image-6.1.0-56-amd64 6.1.192-2)" devices=complete classes=01,02,0c04,12 source="Debian package linux-image-6.1.0-56-amd64 6.1.192-2"
release id=kvm/linux-6.12 line=kvm version=6.12 name="Linux 6.12 KVM (Debian 12 linux-image-6.12.117+deb12-amd64 6.12.117-1~deb12u1)" devices=complete classes=01,02,0c04,12 after=kvm/linux-6.1 source="Debian package linux-image-6.12.117+deb12-amd64 6.12.117-1~deb12u1"

# kvm_intel/kvm_amd refuse to load without VT-x/AMD-V ("VMX not supported by CPU",
# arch/x86/kvm/vmx/vmx.c kvm_is_vmx_supported(); "SVM not supported", svm.c).
require release=kvm/* virt=hw state=unsupported source="Linux arch/x86/kvm/vmx/vmx.c kvm_is_vmx_supported(), arch/x86/kvm/svm/svm.c kvm_is_svm_supported()"
# Without EPT/NPT KVM falls back to shadow paging (module parameter ept=0/npt=0 path).
require release=kvm/* virt=tdp state=deprecated source="Linux Documentation/virt/kvm/x86/mmu.rst: shadow paging when TDP is unavailable"
# Debian's amd64 kernel runs only in long mode; KVM x86 on it needs NX for EPT/NPT guests' protection.
require release=kvm/* feature=lm state=unsupported source="Debian amd64 port: x86-64 kernel requires long mode"
