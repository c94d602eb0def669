// Clustering kernels for deriving segmentations without annotation:
// seeded k-means++ with Lloyd iterations, column standardization, Otsu's
// threshold and the adjusted Rand index. No I/O; points are row-major
// n×d Float buffers.

/// The outcome of `KMeans.fit`.
public struct KMeansResult: Sendable, Equatable {
    /// k×d centroids, row-major.
    public var centroids: [Float]
    /// The cluster (0…k-1) of each of the n points.
    public var labels: [Int32]
    /// Sum over points of the squared distance to their centroid.
    public var inertia: Double
    /// Lloyd iterations run (assignment + update rounds).
    public var iterations: Int
    /// Whether the assignment stopped changing before the iteration cap.
    public var converged: Bool
}

/// k-means clustering (Lloyd's algorithm) seeded by greedy k-means++.
///
/// Initialization (Arthur & Vassilvitskii 2007, "k-means++: the advantages
/// of careful seeding", with scikit-learn's greedy variant): the first
/// centroid is a uniformly drawn point; each next one is the best, by the
/// resulting potential Σ min_j ‖x − c_j‖², of `2 + ⌊ln k⌋` candidates
/// drawn with probability ∝ D(x)², the squared distance to the nearest
/// centroid so far. Draws come from `RandomState(seed:)` (numpy's MT19937),
/// so a seed gives the same clustering on every platform.
///
/// Lloyd iterations then alternate assignment (nearest centroid, ties to
/// the lower index) and update (mean of the members, accumulated in
/// Double in point order) until no label changes or `maxIterations` rounds
/// have run. A cluster left empty takes the point farthest from its own
/// centroid (the first such point at ties), as scikit-learn does.
///
/// Example:
///
///     let r = KMeans.fit(points, count: n, dimension: 2, clusters: 3, seed: 0)
///     r.labels   // n cluster numbers
///
/// - Complexity: O(n·k·d·(trials + iterations)) time, O(n + k·d) extra memory.
public enum KMeans {
    /// e⁰, e¹, …: ⌊ln k⌋ is the last index whose power is ≤ k.
    static let exp1Powers: [Double] = (0..<40).map { i in (0..<i).reduce(1.0) { p, _ in p * 2.718281828459045 } }

    /// The default cap on Lloyd iterations (scikit-learn's `max_iter`).
    public static let defaultMaxIterations = 300

    public static func fit(_ points: [Float], count n: Int, dimension d: Int, clusters k: Int,
                           seed: UInt32, maxIterations: Int = defaultMaxIterations) -> KMeansResult {
        precondition(n >= 1 && d >= 1 && k >= 1, "KMeans: need n, d, k ≥ 1 (n \(n), d \(d), k \(k))")
        precondition(points.count == n * d, "KMeans: \(points.count) values for \(n)×\(d)")
        let k = min(k, n)
        return points.withUnsafeBufferPointer { x in
            var centroids = seedCentroids(x, n: n, d: d, k: k, seed: seed)
            var labels = [Int32](repeating: -1, count: n)
            var distances = [Float](repeating: 0, count: n)
            var iterations = 0
            var converged = false
            while iterations < maxIterations {
                iterations += 1
                let changed = assign(x, n: n, d: d, centroids: centroids, k: k, labels: &labels, distances: &distances)
                if !changed && iterations > 1 { converged = true; break }
                update(x, n: n, d: d, k: k, labels: &labels, distances: &distances, centroids: &centroids)
            }
            if !converged {
                // Labels must belong to the final centroids.
                _ = assign(x, n: n, d: d, centroids: centroids, k: k, labels: &labels, distances: &distances)
            }
            let inertia = distances.reduce(0.0) { $0 + Double($1) }
            return KMeansResult(centroids: centroids, labels: labels, inertia: inertia,
                                iterations: iterations, converged: converged)
        }
    }

    /// The nearest centroid of each point (ties to the lower index).
    public static func nearest(_ points: [Float], count n: Int, dimension d: Int,
                               centroids: [Float], clusters k: Int) -> [Int32] {
        var labels = [Int32](repeating: -1, count: n)
        var distances = [Float](repeating: 0, count: n)
        points.withUnsafeBufferPointer { x in
            _ = assign(x, n: n, d: d, centroids: centroids, k: k, labels: &labels, distances: &distances)
        }
        return labels
    }

    @inline(__always)
    static func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ d: Int) -> Float {
        var s: Float = 0
        for j in 0..<d { let t = a[j] - b[j]; s += t * t }
        return s
    }

    static func seedCentroids(_ x: UnsafeBufferPointer<Float>, n: Int, d: Int, k: Int, seed: UInt32) -> [Float] {
        var random = RandomState(seed: seed)
        var centroids = [Float](repeating: 0, count: k * d)
        let base = x.baseAddress!
        let first = Int(random.interval(UInt64(n - 1)))
        for j in 0..<d { centroids[j] = base[first * d + j] }
        var closest = [Float](repeating: 0, count: n)
        for i in 0..<n { closest[i] = squaredDistance(base + i * d, base + first * d, d) }
        var potential = closest.reduce(0.0) { $0 + Double($1) }
        var lnK = 0  // ⌊ln k⌋ without libm
        while Double(k) >= exp1Powers[lnK + 1] { lnK += 1 }
        let trials = 2 + lnK
        var candidateClosest = [Float](repeating: 0, count: n)
        var bestClosest = [Float](repeating: 0, count: n)
        for c in 1..<max(k, 1) {
            var bestIndex = -1
            var bestPotential = Double.infinity
            for _ in 0..<trials {
                // Draw with probability ∝ D(x)²; all-zero distances (duplicates) fall back to uniform.
                let candidate: Int
                if potential > 0 {
                    let target = random.randomSample() * potential
                    var cumulative = 0.0
                    var pick = n - 1
                    for i in 0..<n {
                        cumulative += Double(closest[i])
                        if cumulative > target { pick = i; break }
                    }
                    candidate = pick
                } else {
                    candidate = Int(random.interval(UInt64(n - 1)))
                }
                var p = 0.0
                for i in 0..<n {
                    let v = min(closest[i], squaredDistance(base + i * d, base + candidate * d, d))
                    candidateClosest[i] = v
                    p += Double(v)
                }
                if p < bestPotential {
                    bestPotential = p
                    bestIndex = candidate
                    swap(&bestClosest, &candidateClosest)
                }
            }
            for j in 0..<d { centroids[c * d + j] = base[bestIndex * d + j] }
            swap(&closest, &bestClosest)
            potential = bestPotential
        }
        return centroids
    }

    /// Assigns every point to its nearest centroid; returns whether any label changed.
    static func assign(_ x: UnsafeBufferPointer<Float>, n: Int, d: Int, centroids: [Float], k: Int,
                       labels: inout [Int32], distances: inout [Float]) -> Bool {
        var changed = false
        let base = x.baseAddress!
        centroids.withUnsafeBufferPointer { cp in
            let c = cp.baseAddress!
            for i in 0..<n {
                let p = base + i * d
                var best: Int32 = 0
                var bestDistance = squaredDistance(p, c, d)
                for j in 1..<max(k, 1) {
                    let dist = squaredDistance(p, c + j * d, d)
                    if dist < bestDistance { bestDistance = dist; best = Int32(j) }
                }
                if labels[i] != best { labels[i] = best; changed = true }
                distances[i] = bestDistance
            }
        }
        return changed
    }

    /// Moves each centroid to the mean of its members; an empty cluster takes
    /// the point farthest from its centroid (which then changes cluster).
    static func update(_ x: UnsafeBufferPointer<Float>, n: Int, d: Int, k: Int, labels: inout [Int32],
                       distances: inout [Float], centroids: inout [Float]) {
        var sums = [Double](repeating: 0, count: k * d)
        var counts = [Int](repeating: 0, count: k)
        let base = x.baseAddress!
        for i in 0..<n {
            let l = Int(labels[i])
            counts[l] += 1
            for j in 0..<d { sums[l * d + j] += Double(base[i * d + j]) }
        }
        for l in 0..<k where counts[l] == 0 {
            var far = 0
            for i in 1..<n where distances[i] > distances[far] { far = i }
            let old = Int(labels[far])
            guard counts[old] > 1 else { continue }
            counts[old] -= 1
            for j in 0..<d { sums[old * d + j] -= Double(base[far * d + j]) }
            counts[l] = 1
            for j in 0..<d { sums[l * d + j] = Double(base[far * d + j]) }
            labels[far] = Int32(l)
            distances[far] = 0
        }
        for l in 0..<k where counts[l] > 0 {
            for j in 0..<d { centroids[l * d + j] = Float(sums[l * d + j] / Double(counts[l])) }
        }
    }
}

/// Column standardization (z-scores) of a row-major n×d buffer.
public enum Standardize {
    /// Replaces every column by (x − mean) / std, with the population std
    /// (ddof 0, as scikit-learn's StandardScaler). A constant column
    /// becomes all zeros. Moments are accumulated in Double.
    ///
    /// - Returns: the columns' means and standard deviations.
    /// - Complexity: O(n·d).
    @discardableResult
    public static func columns(_ x: inout [Float], count n: Int, dimension d: Int) -> (mean: [Double], std: [Double]) {
        precondition(x.count == n * d && n >= 1)
        var mean = [Double](repeating: 0, count: d)
        var std = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += Double(x[i * d + j]) } }
        for j in 0..<d { mean[j] /= Double(n) }
        for i in 0..<n { for j in 0..<d { let t = Double(x[i * d + j]) - mean[j]; std[j] += t * t } }
        for j in 0..<d { std[j] = (std[j] / Double(n)).squareRoot() }
        for i in 0..<n {
            for j in 0..<d {
                x[i * d + j] = std[j] > 0 ? Float((Double(x[i * d + j]) - mean[j]) / std[j]) : 0
            }
        }
        return (mean, std)
    }
}

/// Otsu's threshold (Otsu 1979, "A threshold selection method from gray-level
/// histograms"): the cut of a `bins`-bin histogram over [min, max] that
/// maximizes the between-class variance ω₀ω₁(μ₀ − μ₁)².
public enum Otsu {
    /// The threshold t: class 0 is `values ≤ t`, class 1 is `values > t`.
    /// t is the upper edge of the last bin of class 0 (ties: the first
    /// best cut). Constant input returns that constant (everything class 0).
    ///
    /// - Complexity: O(n + bins).
    public static func threshold(_ values: [Float], bins: Int = 256) -> Float {
        precondition(bins >= 2 && !values.isEmpty)
        var lo = values[0], hi = values[0]
        for v in values { lo = min(lo, v); hi = max(hi, v) }
        if !(hi > lo) { return hi }
        let scale = Double(bins) / Double(hi - lo)
        var histogram = [Double](repeating: 0, count: bins)
        for v in values { histogram[min(Int(Double(v - lo) * scale), bins - 1)] += 1 }
        let total = Double(values.count)
        var sumAll = 0.0
        for b in 0..<bins { sumAll += Double(b) * histogram[b] }
        var w0 = 0.0, sum0 = 0.0
        var best = -1.0, bestBin = 0
        for b in 0..<(bins - 1) {
            w0 += histogram[b]
            sum0 += Double(b) * histogram[b]
            let w1 = total - w0
            if w0 == 0 || w1 == 0 { continue }
            let m0 = sum0 / w0, m1 = (sumAll - sum0) / w1
            let between = w0 * w1 * (m0 - m1) * (m0 - m1)
            if between > best { best = between; bestBin = b }
        }
        return lo + Float(Double(bestBin + 1) / scale)
    }
}

/// Agreement between two labelings of the same items.
public enum ClusterAgreement {
    /// The adjusted Rand index (Hubert & Arabie 1985), as scikit-learn's
    /// `adjusted_rand_score`: 1 for identical partitions (up to renaming),
    /// about 0 for independent ones. Two single-cluster labelings give 1.
    ///
    /// - Complexity: O(n + ka·kb) for labels in 0..<ka and 0..<kb.
    public static func adjustedRandIndex(_ a: [Int32], _ b: [Int32]) -> Double {
        precondition(a.count == b.count && !a.isEmpty)
        let ka = Int(a.max()!) + 1, kb = Int(b.max()!) + 1
        precondition(a.min()! >= 0 && b.min()! >= 0, "labels must be ≥ 0")
        var table = [Double](repeating: 0, count: ka * kb)
        for i in a.indices { table[Int(a[i]) * kb + Int(b[i])] += 1 }
        func pairs(_ x: Double) -> Double { x * (x - 1) / 2 }
        var index = 0.0
        var rows = [Double](repeating: 0, count: ka), cols = [Double](repeating: 0, count: kb)
        for i in 0..<ka {
            for j in 0..<kb {
                let v = table[i * kb + j]
                index += pairs(v)
                rows[i] += v
                cols[j] += v
            }
        }
        let sumRows = rows.reduce(0) { $0 + pairs($1) }
        let sumCols = cols.reduce(0) { $0 + pairs($1) }
        let expected = sumRows * sumCols / pairs(Double(a.count))
        let maximum = (sumRows + sumCols) / 2
        if maximum == expected { return 1 }
        return (index - expected) / (maximum - expected)
    }
}
