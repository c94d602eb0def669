// Module SegADDetectors: see docs/architecture.md.
