// The tests draw their data from the product's SplitMix64 (SegADKernels).
@_exported import SegADKernels
