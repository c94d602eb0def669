// Module SegADKernels: see docs/architecture.md.
