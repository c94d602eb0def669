// A port of numpy's legacy random generator, numpy.random.RandomState, for
// what the benchmark protocols need: the VisA split draws its 10 training
// defects with sklearn's train_test_split(random_state=seed), which calls
// RandomState(seed).permutation(n). Written from the algorithms' published
// definitions (Matsumoto & Nishimura 1998; numpy's documented legacy
// seeding, bounded-integer and shuffle rules) and checked against numpy by
// golden tests.

/// numpy.random.RandomState(seed) for an integer seed: the MT19937 Mersenne
/// Twister seeded with init_genrand(seed) (numpy's `mt19937_seed`).
public struct RandomState: Sendable {
    private static let n = 624
    private static let m = 397
    private var mt: [UInt32]
    private var index: Int

    /// RandomState(seed) for 0 ≤ seed < 2³²: mt[0] = seed,
    /// mt[i] = 1812433253·(mt[i−1] ⊕ (mt[i−1] ≫ 30)) + i (mod 2³²).
    public init(seed: UInt32) {
        var mt = [UInt32](repeating: 0, count: Self.n)
        mt[0] = seed
        for i in 1..<Self.n {
            let p = mt[i - 1]
            mt[i] = 1812433253 &* (p ^ (p >> 30)) &+ UInt32(i)
        }
        self.mt = mt
        self.index = Self.n
    }

    /// Regenerates the 624 words of state (the MT19937 "twist").
    private mutating func twist() {
        let n = Self.n, m = Self.m
        mt.withUnsafeMutableBufferPointer { s in
            for i in 0..<n {
                let y = (s[i] & 0x8000_0000) | (s[(i + 1) % n] & 0x7fff_ffff)
                var v = s[(i + m) % n] ^ (y >> 1)
                if y & 1 != 0 { v ^= 0x9908_b0df }
                s[i] = v
            }
        }
        index = 0
    }

    /// The next 32-bit output (numpy: `bit_generator.random_raw()`).
    public mutating func nextUInt32() -> UInt32 {
        if index >= Self.n { twist() }
        var y = mt[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= y >> 18
        return y
    }

    /// The next 64-bit output: two 32-bit draws, the first in the high half.
    public mutating func nextUInt64() -> UInt64 {
        let hi = UInt64(nextUInt32())
        return hi << 32 | UInt64(nextUInt32())
    }

    /// RandomState.random_sample(): a double in [0, 1) with 53 random bits,
    /// (a·2²⁶ + b) / 2⁵³ with a = draw ≫ 5, b = draw ≫ 6.
    public mutating func randomSample() -> Double {
        let a = Double(nextUInt32() >> 5)
        let b = Double(nextUInt32() >> 6)
        return (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// A uniform integer in 0...max, numpy's legacy `random_interval`:
    /// draws masked to the smallest all-ones mask ≥ max, rejecting values
    /// above max; 32-bit draws when max ≤ 0xffffffff, else 64-bit.
    public mutating func interval(_ max: UInt64) -> UInt64 {
        if max == 0 { return 0 }
        var mask = max
        mask |= mask >> 1
        mask |= mask >> 2
        mask |= mask >> 4
        mask |= mask >> 8
        mask |= mask >> 16
        mask |= mask >> 32
        if max <= 0xffff_ffff {
            while true {
                let v = UInt64(nextUInt32()) & mask
                if v <= max { return v }
            }
        } else {
            while true {
                let v = nextUInt64() & mask
                if v <= max { return v }
            }
        }
    }

    /// RandomState.permutation(n): arange(n) shuffled by the legacy
    /// Fisher–Yates: for i = n−1 down to 1, swap x[i] with x[interval(i)].
    ///
    /// - Complexity: O(n).
    public mutating func permutation(_ n: Int) -> [Int] {
        precondition(n >= 0, "negative permutation length")
        var x = Array(0..<n)
        var i = n - 1
        while i >= 1 {
            let j = Int(interval(UInt64(i)))
            x.swapAt(i, j)
            i -= 1
        }
        return x
    }
}

/// sklearn.model_selection.train_test_split with an integer test size and
/// an integer random_state, for the index list 0..<count.
public enum TrainTestSplit {
    /// `train_test_split(range(count), test_size=count−trainCount,
    /// random_state=seed)`: sklearn's ShuffleSplit draws
    /// p = RandomState(seed).permutation(count); test = p[..<nTest],
    /// train = p[nTest...] (nTest = count − trainCount), each in that order.
    /// Requires 1 ≤ trainCount ≤ count − 1 (sklearn rejects the rest).
    ///
    /// - Complexity: O(count).
    public static func split(count: Int, trainCount: Int, seed: UInt32) -> (train: [Int], test: [Int]) {
        precondition(trainCount >= 1 && trainCount <= count - 1,
                     "train_test_split needs 1 ≤ trainCount ≤ count − 1")
        var rng = RandomState(seed: seed)
        let p = rng.permutation(count)
        let nTest = count - trainCount
        return (Array(p[nTest...]), Array(p[..<nTest]))
    }
}
