/// A small seeded generator (SplitMix64; Steele, Lea and Flood 2014), the
/// same on every platform, so a fit is reproducible from its seed. The tests
/// draw their data from it too.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 bits.
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Uniform in [0, 1) with 24 bits, exact in Float.
    public mutating func unitFloat() -> Float { Float(next() >> 40) / Float(1 << 24) }
}
