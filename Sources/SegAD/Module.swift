// Module SegAD: see docs/architecture.md.
