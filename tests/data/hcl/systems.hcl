# Test database for system (DMI) matching; the release and entry are test
# fixtures, not facts: they exercise the matcher against the kvm-host sysroot.
schema 1
release id=test/1 line=test version=1 devices=partial classes=02 source="test fixture"
system vendor="Dell Inc." product="PowerEdge R630" test/1=deprecated source="test fixture"
system vendor="Dell Inc." product="PowerEdge R640" test/1=supported source="test fixture"
