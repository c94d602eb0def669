// Per-segment statistics of one anomaly map: the SegAD features.
//
// For the pixels x_1…x_n of a map that carry label l (docs/design.md, "Features"):
//
//   q995     = numpy.quantile(x, 0.995) ('linear')
//   skew     = scipy.stats.skew(x)             (bias=True)        = m3 / m2^1.5
//   kurtosis = scipy.stats.kurtosis(x)         (fisher, bias=True) = m4 / m2² − 3
//   mean     = numpy.mean(x)
//
// with m_k = mean((x − mean)^k). Everything is computed in Double from the
// Float values, so results agree with numpy/scipy run on the float32 values
// converted to float64 (the golden tests measure the agreement).

/// The four statistics of one segment of one map.
public struct SegmentStatistics: Equatable, Hashable, Sendable {
    /// numpy.quantile(x, 0.995), 'linear' method.
    public var q995: Double
    /// scipy.stats.skew(x): m3 / m2^1.5; NaN when the segment is (numerically) constant.
    public var skew: Double
    /// scipy.stats.kurtosis(x): m4 / m2² − 3; NaN when the segment is (numerically) constant.
    public var kurtosis: Double
    /// numpy.mean(x).
    public var mean: Double

    public init(q995: Double, skew: Double, kurtosis: Double, mean: Double) {
        self.q995 = q995
        self.skew = skew
        self.kurtosis = kurtosis
        self.mean = mean
    }

    /// What an empty segment yields: all four zero (the reference's convention).
    public static let empty = SegmentStatistics(q995: 0, skew: 0, kurtosis: 0, mean: 0)
    /// What a segment containing a NaN yields (numpy/scipy propagate NaN).
    public static let nan = SegmentStatistics(q995: .nan, skew: .nan, kurtosis: .nan, mean: .nan)
}

/// Reusable scratch memory for `SegmentStats.compute`, so that computing the
/// statistics of thousands of maps allocates nothing per map.
///
/// A workspace grows (once) if handed a larger map or more segments than it
/// was made for; it is not shared between threads (make one per thread).
public struct SegmentStatisticsWorkspace {
    /// Map values bucketed by segment (counting sort), `pixelCount` floats.
    var values: [Float]
    /// Values at or above the selection pivot, `pixelCount` floats.
    var tail: [Float]
    /// Segment start offsets into `values`, `segmentCount + 1` entries.
    var offsets: [Int]
    /// Write cursors during bucketing, `segmentCount` entries.
    var cursors: [Int]
    /// Pivot sample, `SegmentStats.sampleSize` floats.
    var sample: [Float]
    /// End (exclusive) of each run of equal labels, up to `pixelCount` entries.
    var runEnds: [Int]

    public init(pixelCount: Int, segmentCount: Int) {
        precondition(pixelCount >= 0 && segmentCount >= 0, "negative workspace size")
        values = [Float](repeating: 0, count: pixelCount)
        tail = [Float](repeating: 0, count: pixelCount)
        offsets = [Int](repeating: 0, count: segmentCount + 1)
        cursors = [Int](repeating: 0, count: segmentCount)
        sample = [Float](repeating: 0, count: SegmentStats.sampleSize)
        runEnds = [Int](repeating: 0, count: pixelCount)
    }

    /// Grows the buffers to hold at least the given sizes.
    mutating func reserve(pixelCount: Int, segmentCount: Int) {
        if values.count < pixelCount {
            values = [Float](repeating: 0, count: pixelCount)
            tail = [Float](repeating: 0, count: pixelCount)
            runEnds = [Int](repeating: 0, count: pixelCount)
        }
        if cursors.count < segmentCount {
            offsets = [Int](repeating: 0, count: segmentCount + 1)
            cursors = [Int](repeating: 0, count: segmentCount)
        }
    }
}

/// Per-segment statistics of anomaly maps (the SegAD features).
public enum SegmentStats {
    /// Segments with at least this many pixels select the quantile through a
    /// sampled pivot (one filtering pass, then selection among the few values
    /// above the pivot); smaller ones use plain quickselect.
    static let sampledSelectionThreshold = 1024
    /// Number of evenly spaced values sampled to choose the pivot.
    static let sampleSize = 256
    /// The pivot is the sample value this many ranks below the sample rank of
    /// the wanted order statistic. With 256 samples and q = 0.995 it is the
    /// 9th largest sample, so about 3.5% of the segment survives the filter,
    /// and the pivot overshoots (forcing the fallback) with probability ≈ 1e-5.
    static let pivotMargin = 8

    /// Computes q995, skew, kurtosis and mean of every segment of one map.
    ///
    /// - Parameters:
    ///   - map: the H·W map values (any layout; only pairing with `labels` matters).
    ///   - labels: H·W segment labels, each in `0..<segmentCount` (the caller
    ///     validates this; an out-of-range label is undefined behaviour in
    ///     release builds and a trap in debug builds).
    ///   - segmentCount: L, the number of segments.
    ///   - workspace: scratch memory, reused across calls.
    ///   - out: receives L results, `out[l]` for segment l (`out.count >= L`).
    ///
    /// An empty segment gives all four 0. A segment whose m2 ≤ (ε·mean)²
    /// (ε = Double.ulpOfOne; scipy's rule, true for any constant segment and
    /// for a single pixel) gives skew and kurtosis NaN. A segment containing
    /// NaN gives all four NaN (numpy/scipy propagate it).
    ///
    /// Method: pixels are bucketed by label with a run-aware counting sort;
    /// per segment, one pass sums the values (mean), a second pass accumulates
    /// the central moments about that mean — with an exact first-order
    /// correction for the mean's rounding — while copying the values at or
    /// above a sampled pivot aside; the 0.995 order statistics are then
    /// selected among those few values (introselect), falling back to
    /// selection over the whole segment when the pivot overshoots.
    ///
    /// - Complexity: O(H·W + L) expected time; no allocation once the
    ///   workspace is large enough.
    public static func compute(map: UnsafeBufferPointer<Float>,
                               labels: UnsafeBufferPointer<Int32>,
                               segmentCount: Int,
                               workspace: inout SegmentStatisticsWorkspace,
                               into out: UnsafeMutableBufferPointer<SegmentStatistics>) {
        precondition(map.count == labels.count, "map and labels differ in size")
        precondition(out.count >= segmentCount, "output buffer too small")
        guard segmentCount > 0 else { return }
        let n = map.count
        workspace.reserve(pixelCount: n, segmentCount: segmentCount)
        workspace.values.withUnsafeMutableBufferPointer { values in
        workspace.tail.withUnsafeMutableBufferPointer { tail in
        workspace.offsets.withUnsafeMutableBufferPointer { offsets in
        workspace.cursors.withUnsafeMutableBufferPointer { cursors in
        workspace.sample.withUnsafeMutableBufferPointer { sample in
        workspace.runEnds.withUnsafeMutableBufferPointer { runEnds in
            bucket(map: map.baseAddress, labels: labels.baseAddress, count: n,
                   segmentCount: segmentCount, values: values.baseAddress!,
                   offsets: offsets.baseAddress!, cursors: cursors.baseAddress!,
                   runEnds: runEnds.baseAddress!)
            for l in 0..<segmentCount {
                let start = offsets[l]
                out[l] = statistics(values.baseAddress! + start, count: offsets[l + 1] - start,
                                    tail: tail.baseAddress! + start, sample: sample.baseAddress!)
            }
        }}}}}}
    }

    /// The largest value of a map (the image-level score max f_k(I)), as
    /// numpy.max: NaN if any value is NaN; NaN for an empty map (numpy raises).
    ///
    /// - Complexity: O(count).
    public static func maximum(_ map: UnsafeBufferPointer<Float>) -> Float {
        guard let p = map.baseAddress, map.count > 0 else { return .nan }
        let n = map.count
        var m0 = -Float.infinity, m1 = -Float.infinity, m2 = -Float.infinity, m3 = -Float.infinity
        var nanSeen = false
        var i = 0
        while i + 4 <= n {
            let a = p[i], b = p[i + 1], c = p[i + 2], d = p[i + 3]
            m0 = a > m0 ? a : m0
            m1 = b > m1 ? b : m1
            m2 = c > m2 ? c : m2
            m3 = d > m3 ? d : m3
            nanSeen = nanSeen || (a != a) || (b != b) || (c != c) || (d != d)
            i += 4
        }
        while i < n {
            let a = p[i]
            m0 = a > m0 ? a : m0
            nanSeen = nanSeen || (a != a)
            i += 1
        }
        if nanSeen { return .nan }
        return Swift.max(Swift.max(m0, m1), Swift.max(m2, m3))
    }

    // MARK: - Bucketing

    /// Counting sort of the map values by label, stable in pixel order.
    /// Label maps are piecewise constant along rows, so it works on runs:
    /// one pass finds the runs of equal labels (comparing 8 labels at a time)
    /// and counts each segment's pixels; a second walks the runs and copies
    /// each one whole. After it, segment l occupies
    /// values[offsets[l] ..< offsets[l+1]].
    @inline(__always)
    static func bucket(map: UnsafePointer<Float>?, labels: UnsafePointer<Int32>?, count n: Int,
                       segmentCount: Int, values: UnsafeMutablePointer<Float>,
                       offsets: UnsafeMutablePointer<Int>, cursors: UnsafeMutablePointer<Int>,
                       runEnds: UnsafeMutablePointer<Int>) {
        cursors.update(repeating: 0, count: segmentCount)
        guard n > 0, let map = map, let labels = labels else {
            offsets.update(repeating: 0, count: segmentCount + 1)
            return
        }
        // Runs and counts.
        let raw = UnsafeRawPointer(labels)
        var runs = 0
        var i = 0
        while i < n {
            let l = labels[i]
            let splat = SIMD8<Int32>(repeating: l)
            var j = i &+ 1
            while j &+ 8 <= n {
                // Any of the next 8 labels different? (compiles to pcmpeqd/movmsk)
                let x = raw.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Int32>.self) ^ splat
                let y = x.lowHalf | x.highHalf
                if (y[0] | y[1] | y[2] | y[3]) != 0 { break }
                j &+= 8
            }
            while j < n && labels[j] == l { j &+= 1 }
            assert(l >= 0 && Int(l) < segmentCount, "label out of range")
            cursors[Int(l)] &+= j &- i
            runEnds[runs] = j
            runs &+= 1
            i = j
        }
        var acc = 0
        for l in 0..<segmentCount {
            offsets[l] = acc
            acc &+= cursors[l]
            cursors[l] = offsets[l]
        }
        offsets[segmentCount] = acc
        // Copy run by run.
        i = 0
        for r in 0..<runs {
            let l = Int(labels[i])
            let end = runEnds[r]
            let len = end &- i
            (values + cursors[l]).update(from: map + i, count: len)
            cursors[l] &+= len
            i = end
        }
    }

    // MARK: - One segment

    /// The statistics of the n values at `v` (which it reorders).
    /// `tail` has room for n floats; `sample` for `sampleSize`.
    @inline(__always)
    static func statistics(_ v: UnsafeMutablePointer<Float>, count n: Int,
                           tail: UnsafeMutablePointer<Float>,
                           sample: UnsafeMutablePointer<Float>) -> SegmentStatistics {
        if n == 0 { return .empty }
        let dn = Double(n)

        // Pass 1: the mean, in Double SIMD lanes (8 independent partial sums).
        var i = 0
        var sum4a = SIMD4<Double>(), sum4b = SIMD4<Double>()
        let raw = UnsafeRawPointer(v)
        while i + 8 <= n {
            sum4a += SIMD4<Double>(raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD4<Float>.self))
            sum4b += SIMD4<Double>(raw.loadUnaligned(fromByteOffset: (i &+ 4) &* 4, as: SIMD4<Float>.self))
            i &+= 8
        }
        sum4a += sum4b
        var s0 = sum4a[0]
        let s1 = sum4a[1], s2 = sum4a[2], s3 = sum4a[3]
        while i < n { s0 += Double(v[i]); i &+= 1 }
        let c = ((s0 + s1) + (s2 + s3)) / dn
        if c.isNaN { return .nan }

        // Quantile position, exactly as numpy's 'linear' method: h = (n-1)·q.
        let h = Double(n - 1) * 0.995
        let k = Int(h.rounded(.down))
        let gamma = h - Double(k)

        // Pivot from an evenly spaced sample (large segments only).
        var pivot = -Float.infinity
        if n >= sampledSelectionThreshold {
            let s = sampleSize
            for t in 0..<s { sample[t] = v[(t &* n) / s] }
            let js = (k &* s) / n &- pivotMargin
            if js > 0 { pivot = select(sample, count: s, rank: js) }
        }

        // Pass 2: moments about c, and the values >= pivot copied to `tail`.
        // d = x − c; M_j = mean(d^j); four Double lanes per accumulator.
        var A1 = SIMD4<Double>(), A2 = SIMD4<Double>(), A3 = SIMD4<Double>(), A4 = SIMD4<Double>()
        let cv = SIMD4<Double>(repeating: c)
        var w = 0
        i = 0
        while i + 4 <= n {
            let xf = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD4<Float>.self)
            let d = SIMD4<Double>(xf) - cv
            let d2 = d * d
            A1 += d
            A2 += d2
            A3 += d2 * d
            A4 += d2 * d2
            tail[w] = xf[0]; w &+= xf[0] >= pivot ? 1 : 0
            tail[w] = xf[1]; w &+= xf[1] >= pivot ? 1 : 0
            tail[w] = xf[2]; w &+= xf[2] >= pivot ? 1 : 0
            tail[w] = xf[3]; w &+= xf[3] >= pivot ? 1 : 0
            i &+= 4
        }
        var a1 = (A1[0] + A1[1]) + (A1[2] + A1[3]), a2 = (A2[0] + A2[1]) + (A2[2] + A2[3])
        var a3 = (A3[0] + A3[1]) + (A3[2] + A3[3]), a4 = (A4[0] + A4[1]) + (A4[2] + A4[3])
        while i < n {
            let x = v[i]
            let d = Double(x) - c, d2 = d * d
            a1 += d; a2 += d2; a3 += d2 * d; a4 += d2 * d2
            tail[w] = x; w &+= x >= pivot ? 1 : 0
            i &+= 1
        }
        let eps = a1 / dn                 // c's rounding error: mean = c + eps
        let M2 = a2 / dn, M3 = a3 / dn, M4 = a4 / dn
        let mean = c + eps
        // Central moments from moments about c (exact algebra; eps is tiny).
        let eps2 = eps * eps
        let m2 = M2 - eps2
        let m3 = M3 - 3 * eps * M2 + 2 * eps2 * eps
        let m4 = M4 - 4 * eps * M3 + 6 * eps2 * M2 - 3 * eps2 * eps2

        // scipy: zero = m2 <= (finfo(float64).eps * mean)**2 → NaN.
        let skew: Double, kurtosis: Double
        let tiny = Double.ulpOfOne * mean
        if m2 <= tiny * tiny {
            skew = .nan
            kurtosis = .nan
        } else {
            skew = m3 / (m2 * m2.squareRoot())
            kurtosis = m4 / (m2 * m2) - 3
        }

        // Order statistics x_(k) and x_(k+1).
        let below = n - w               // values < pivot
        let lo: Float, hi: Float
        if below <= k {
            let kk = k - below
            lo = select(tail, count: w, rank: kk)
            hi = kk + 1 < w ? minimum(tail + kk + 1, count: w - kk - 1) : lo
        } else {                        // pivot overshot: select over everything
            lo = select(v, count: n, rank: k)
            hi = k + 1 < n ? minimum(v + k + 1, count: n - k - 1) : lo
        }
        let q = Quantile.lerp(Double(lo), Double(hi), gamma)
        return SegmentStatistics(q995: q, skew: skew, kurtosis: kurtosis, mean: mean)
    }

    @inline(__always)
    static func minimum(_ p: UnsafePointer<Float>, count n: Int) -> Float {
        var m = p[0]
        for i in 1..<Swift.max(n, 1) { m = p[i] < m ? p[i] : m }
        return m
    }
}

// MARK: - Selection

/// Introselect: reorders a[0..<n] so that a[k] is the k-th smallest value
/// (0-based), everything before it ≤ a[k] and everything after it ≥ a[k];
/// returns a[k]. Hoare partitioning around a median-of-three pivot (which
/// splits runs of equal values evenly); after 2·log2(n) rounds without
/// converging it sorts the remaining range. Values must not be NaN.
///
/// - Complexity: O(n) expected, O(n log n) worst case.
@inline(__always)
func select<T: Comparable>(_ a: UnsafeMutablePointer<T>, count n: Int, rank k: Int) -> T {
    precondition(k >= 0 && k < n, "rank out of range")
    var lo = 0, hi = n - 1
    var budget = 2 * (Int.bitWidth - n.leadingZeroBitCount) + 4
    while hi > lo {
        if hi - lo < 16 {
            // Insertion sort of the small remaining range.
            var i = lo + 1
            while i <= hi {
                let x = a[i]
                var j = i - 1
                while j >= lo && x < a[j] { a[j + 1] = a[j]; j -= 1 }
                a[j + 1] = x
                i += 1
            }
            return a[k]
        }
        budget -= 1
        if budget == 0 {
            var rest = UnsafeMutableBufferPointer(start: a + lo, count: hi - lo + 1)
            rest.sort()
            return a[k]
        }
        let mid = lo + (hi - lo) / 2
        if a[mid] < a[lo] { a.swapAt(mid, lo) }
        if a[hi] < a[lo] { a.swapAt(hi, lo) }
        if a[hi] < a[mid] { a.swapAt(hi, mid) }
        let x = a[mid]
        var i = lo, j = hi
        repeat {
            while a[i] < x { i += 1 }
            while x < a[j] { j -= 1 }
            if i <= j {
                a.swapAt(i, j)
                i += 1
                j -= 1
            }
        } while i <= j
        if j < k { lo = i }
        if k < i { hi = j }
    }
    return a[k]
}

extension UnsafeMutablePointer {
    @inline(__always)
    fileprivate func swapAt(_ i: Int, _ j: Int) {
        let t = self[i]
        self[i] = self[j]
        self[j] = t
    }
}

/// Quantiles as numpy.quantile computes them.
public enum Quantile {
    /// numpy.quantile(values, q) with the default 'linear' method:
    /// on the sorted values x, h = (n−1)·q and the result is
    /// x[⌊h⌋] + (h−⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]), interpolated as numpy's `_lerp`.
    ///
    /// Returns NaN for an empty array (numpy raises) or if any value is NaN
    /// (numpy propagates it). `q` must lie in [0, 1].
    ///
    /// - Complexity: O(n) expected (selection, not sorting); copies `values`.
    public static func linear(_ values: [Double], q: Double) -> Double {
        var copy = values
        return copy.withUnsafeMutableBufferPointer { linear(reordering: $0, q: q) }
    }

    /// As `linear(_:q:)`, but selects in place: reorders `buffer`.
    public static func linear(reordering buffer: UnsafeMutableBufferPointer<Double>, q: Double) -> Double {
        precondition(q >= 0 && q <= 1, "quantile outside [0, 1]")
        let n = buffer.count
        guard n > 0, let a = buffer.baseAddress else { return .nan }
        for x in buffer where x.isNaN { return .nan }
        let h = Double(n - 1) * q
        let k = Swift.min(Int(h.rounded(.down)), n - 1)
        let gamma = h - Double(k)
        let lo = select(a, count: n, rank: k)
        var hi = lo
        if k + 1 < n {
            hi = a[k + 1]
            for i in (k + 2)..<n where a[i] < hi { hi = a[i] }
        }
        return lerp(lo, hi, gamma)
    }

    /// numpy's `_lerp(a, b, t)`: a + (b−a)·t, computed from b's side when
    /// t ≥ 0.5 (b − (b−a)·(1−t)) for monotonicity.
    @inline(__always)
    static func lerp(_ a: Double, _ b: Double, _ t: Double) -> Double {
        let diff = b - a
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t
    }
}
