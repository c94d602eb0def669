import Dispatch
import Foundation
import Synchronization
internal import COpenBLAS
internal import CConvKernels

/// PatchCore's nearest-neighbour search without looking at most of the
/// bank, with the brute force's result bit for bit (docs/patchcore.md,
/// "Pruned search").
///
/// The bank is split into clusters around centers started at its first rows
/// (the coreset's own greedy order puts far-apart rows first) and moved by a
/// few k-means steps; each member keeps its distance
/// r to its center, members sorted by r. For a query q with center distance
/// D (bounded below and above from a float sgemm with a rounding margin),
/// the triangle inequality gives ‖q − m‖ ≥ |D − r|; a member is skipped when
/// a bound proves its computed value ‖m‖² − 2q·m (as the brute force
/// computes it, rounding included) cannot be below the best value found so
/// far, so only the members with r in [D − ρ, D + ρ] are looked at (binary
/// search), each first tested on its projection (`ProjectionBound`), whole
/// clusters skipped by the box of their projections. The best value starts from the previous query's winner
/// (neighbouring patches have close features) and the nearest cluster. Every
/// value that is evaluated is the brute force's value of that cell, replayed
/// in the arithmetic its sgemm tile used (`replayMap`); the minimum over
/// them is therefore the brute force's minimum, and the distance the same
/// expression √max(‖q‖² + best, 0).
extension PatchCore {
    /// The clusters of a memory bank, built once per bank.
    package final class SearchIndex: Sendable {
        let dim: Int
        let bankCount: Int
        /// Cluster centers, count × dim, their sdot norms and ‖c‖.
        let centers: [Float]
        let centerNorms: [Float]
        let centerLengths: [Double]
        /// Members of cluster c: members[clusterStart[c]..<clusterStart[c + 1]], by increasing radius.
        let clusterStart: [Int]
        let members: [Int32]
        /// ‖m − c‖ of each member (in double precision).
        let radii: [Double]
        /// max ‖m‖ over each cluster's members.
        let maxLength: [Double]
        /// False when the bank has a value this search does not bound (not finite, or above 1e15).
        let usable: Bool
        /// The projection bound and each member's projection (members' order, k floats each).
        let projection: ProjectionBound?
        let projected: [Float]
        /// Per cluster, the smallest and largest projection of its members in each of the k directions.
        let boxLow: [Float]
        let boxHigh: [Float]
        package var clusters: Int { clusterStart.count - 1 }
        /// k of the projection bound (0: none).
        package var projectionDim: Int { projection?.k ?? 0 }

        /// Clusters for `bank` (bankCount × dim): `clusters` centers (default
        /// about 2√bankCount), started at the bank's first rows and moved by
        /// `lloydSteps` k-means steps.
        package init(bank: [Float], bankCount: Int, dim: Int, clusters requested: Int? = nil, lloydSteps: Int = 4) {
            self.dim = dim
            self.bankCount = bankCount
            usable = bank.allSatisfy { $0.isFinite && abs($0) <= 1e15 }
            let k = max(1, min(bankCount, requested ?? Int((2 * Double(bankCount).squareRoot()).rounded())))
            // Centers: the bank's first rows, then `lloydSteps` k-means steps
            // (each center the mean of its rows; a center left empty keeps its place).
            var centers = Array(bank[0..<(k * dim)])
            var centerNorms: [Float] = []
            // Nearest center of each bank row (any assignment is correct; this one keeps clusters tight).
            var assign = [Int32](repeating: 0, count: bankCount)
            let chunk = 2048
            var dots = [Float](repeating: 0, count: chunk * k)
            for step in 0...lloydSteps {
                if step > 0 {
                    var sums = [Double](repeating: 0, count: k * dim), counts = [Int](repeating: 0, count: k)
                    for i in 0..<bankCount {
                        let c = Int(assign[i])
                        counts[c] += 1
                        for j in 0..<dim { sums[c * dim + j] += Double(bank[i * dim + j]) }
                    }
                    for c in 0..<k where counts[c] > 0 {
                        for j in 0..<dim { centers[c * dim + j] = Float(sums[c * dim + j] / Double(counts[c])) }
                    }
                }
                centerNorms = centers.withUnsafeBufferPointer { squaredNorms($0.baseAddress!, count: k, dim: dim) }
                BLASThreads.with(1) {
                    for r0 in stride(from: 0, to: bankCount, by: chunk) {
                        let m = min(chunk, bankCount - r0)
                        bank.withUnsafeBufferPointer { bp in
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(k), Int32(dim),
                                        -2, bp.baseAddress! + r0 * dim, Int32(dim), centers, Int32(dim), 0, &dots, Int32(k))
                        }
                        for i in 0..<m {
                            var best = Float.infinity, arg = 0
                            for c in 0..<k where centerNorms[c] + dots[i * k + c] < best { best = centerNorms[c] + dots[i * k + c]; arg = c }
                            assign[r0 + i] = Int32(arg)
                        }
                    }
                }
            }
            func length(_ i: Int) -> Double {
                var s = 0.0
                for j in 0..<dim { let x = Double(bank[i * dim + j]); s += x * x }
                return s.squareRoot()
            }
            func distance(_ i: Int, _ c: Int) -> Double {
                var s = 0.0
                for j in 0..<dim { let t = Double(bank[i * dim + j]) - Double(centers[c * dim + j]); s += t * t }
                return s.squareRoot()
            }
            var lists = [[(r: Double, i: Int32)]](repeating: [], count: k)
            var maxLength = [Double](repeating: 0, count: k)
            for i in 0..<bankCount {
                let c = Int(assign[i])
                lists[c].append((distance(i, c), Int32(i)))
                maxLength[c] = max(maxLength[c], length(i))
            }
            var start = [0], members: [Int32] = [], radii: [Double] = []
            members.reserveCapacity(bankCount); radii.reserveCapacity(bankCount)
            for c in 0..<k {
                for e in lists[c].sorted(by: { $0.r < $1.r || ($0.r == $1.r && $0.i < $1.i) }) {
                    members.append(e.i); radii.append(e.r)
                }
                start.append(members.count)
            }
            let projection = ProjectionBound(bank: bank, count: bankCount, dim: dim)
            var projected: [Float] = []
            if let p = projection {
                var all = [Float](repeating: 0, count: bankCount * p.k)
                BLASThreads.with(1) {
                    bank.withUnsafeBufferPointer { bp in
                        all.withUnsafeMutableBufferPointer { p.project(bp.baseAddress!, count: bankCount, dim: dim, into: $0.baseAddress!) }
                    }
                }
                projected.reserveCapacity(bankCount * p.k)
                for m in members { projected += all[(Int(m) * p.k)..<((Int(m) + 1) * p.k)] }
            }
            var low: [Float] = [], high: [Float] = []
            if let p = projection {
                low = [Float](repeating: .infinity, count: k * p.k); high = [Float](repeating: -.infinity, count: k * p.k)
                for c in 0..<k {
                    for t in start[c]..<start[c + 1] {
                        for i in 0..<p.k {
                            low[c * p.k + i] = min(low[c * p.k + i], projected[t * p.k + i])
                            high[c * p.k + i] = max(high[c * p.k + i], projected[t * p.k + i])
                        }
                    }
                }
            }
            boxLow = low
            boxHigh = high
            self.projection = projection
            self.projected = projected
            self.centers = centers
            self.centerNorms = centerNorms
            centerLengths = (0..<k).map { c in
                var s = 0.0
                for j in 0..<dim { let x = Double(centers[c * dim + j]); s += x * x }
                return s.squareRoot()
            }
            clusterStart = start
            self.members = members
            self.radii = radii
            self.maxLength = maxLength
        }
    }

    /// What the pruned search returns: the distances, how many query–bank
    /// values it evaluated in full (of count·bankCount) and how many members
    /// it tested against the projection bound.
    package struct PrunedResult: Sendable {
        package var distances: [Float]
        package var evaluated: Int
        package var bounded: Int
    }

    /// The brute force's `nearestDistances` (same tiles of queries, same
    /// values bit for bit) by the pruned search. Nil when it cannot promise
    /// the same bits here (no replay map for a tile shape, or values it does
    /// not bound): then the caller runs the brute force.
    package static func nearestDistancesPruned(_ q: [Float], count: Int, bank: [Float], bankNorms: [Float],
                                               bankCount: Int, dim: Int, index: SearchIndex) -> PrunedResult? {
        guard count > 0 else { return PrunedResult(distances: [], evaluated: 0, bounded: 0) }
        guard index.usable, index.bankCount == bankCount, index.dim == dim,
              q.allSatisfy({ $0.isFinite && abs($0) <= 1e15 }) else { return nil }
        // The replay maps of the brute force's tile shapes: [full query tile?][full bank tile?].
        func rows(_ full: Bool) -> Int { full ? min(queryTile, count) : count % queryTile }
        func cols(_ full: Bool) -> Int { full ? min(bankTile, bankCount) : bankCount % bankTile }
        var measured: [[[UInt8]]] = [[[], []], [[], []]]
        for (a, fullRows) in [false, true].enumerated() where rows(fullRows) > 0 {
            for (b, fullCols) in [false, true].enumerated() where cols(fullCols) > 0 {
                guard let map = replayMap(TileShape(rows: rows(fullRows), cols: cols(fullCols), dim: dim)) else { return nil }
                measured[a][b] = map
            }
        }
        let maps = measured
        let k = index.clusters
        // Rounding margin, relative to (‖q‖ + ‖m‖)²: twice what the error
        // analysis needs (docs/patchcore.md, "Pruned search", the margins).
        let mu = 4 * Double(dim + 4) * 0x1p-24
        var out = [Float](repeating: 0, count: count)
        let tiles = (count + queryTile - 1) / queryTile
        let workers = min(Parallel.cores, tiles)
        let next = Parallel.Counter()
        let evaluated = Parallel.Slots<Int>(workers, empty: 0), bounded = Parallel.Slots<Int>(workers, empty: 0)
        let projection = index.projection
        let pk = projection?.k ?? 0
        BLASThreads.with(1) {
            q.withUnsafeBufferPointer { qp in
            bank.withUnsafeBufferPointer { bp in
            bankNorms.withUnsafeBufferPointer { np in
            out.withUnsafeMutableBufferPointer { op in
            index.centers.withUnsafeBufferPointer { cp in
            index.members.withUnsafeBufferPointer { mp in
            index.radii.withUnsafeBufferPointer { rp in
            index.projected.withUnsafeBufferPointer { pp in
            index.boxLow.withUnsafeBufferPointer { lp in
            index.boxHigh.withUnsafeBufferPointer { hp in
                // Shared by the workers: all read the queries, the bank, its norms and the
                // index; each writes the distances of the query tiles it takes.
                let qb = SharedPointer(qp), bb = SharedPointer(bp), nb = SharedPointer(np), ob = SharedPointer(op)
                let cb = SharedPointer(cp), mb = SharedPointer(mp), rb = SharedPointer(rp)
                let pb = pk > 0 ? SharedPointer(pp) : nil
                let lb = pk > 0 ? SharedPointer(lp) : nil, hb = pk > 0 ? SharedPointer(hp) : nil
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    let centerDots = UnsafeMutablePointer<Float>.allocate(capacity: queryTile * k)
                    let queryProjections = UnsafeMutablePointer<Float>.allocate(capacity: queryTile * max(pk, 1))
                    defer { centerDots.deallocate(); queryProjections.deallocate() }
                    var dlo = [Double](repeating: 0, count: k), dhi = [Double](repeating: 0, count: k)
                    let batch = 64
                    var idx = [Int32](repeating: 0, count: batch), variants = [UInt8](repeating: 0, count: batch)
                    var values = [Float](repeating: 0, count: batch)
                    var done = 0, tested = 0
                    while true {
                        let tile = next.increment() - 1
                        if tile >= tiles { break }
                        let q0 = tile * queryTile, mq = min(queryTile, count - q0)
                        let fullRows = mq == queryTile ? 1 : 0
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(mq), Int32(k), Int32(dim),
                                    1, qb + q0 * dim, Int32(dim), cb.base, Int32(dim), 0, centerDots, Int32(k))
                        projection?.project(qb + q0 * dim, count: mq, dim: dim, into: queryProjections)
                        var seed: Int32 = -1
                        for i in 0..<mq {
                            let row = qb + (q0 + i) * dim
                            let qn = cblas_sdot(Int32(dim), row, 1, row, 1)
                            let qLength = Double(qn).squareRoot() * (1 + 0x1p-20)
                            var best = Float.infinity, winner: Int32 = -1
                            /// Evaluates the n members in idx (their cells replayed), keeping the minimum.
                            func evaluate(_ n: Int) {
                                for t in 0..<n {
                                    let j = Int(idx[t]), b0 = j / bankTile * bankTile
                                    let cols = min(bankTile, bankCount - b0)
                                    variants[t] = maps[fullRows][cols == bankTile ? 1 : 0][i * cols + (j - b0)]
                                }
                                segad_nn_dots(row, bb.base, dim, idx, variants, n, &values)
                                for t in 0..<n {
                                    let v = values[t] + nb[Int(idx[t])]
                                    if v < best { best = v; winner = idx[t] }
                                }
                                done += n
                            }
                            if seed >= 0 { idx[0] = seed; evaluate(1) }
                            // Center distances with their rounding margin; the nearest cluster first.
                            var first = 0
                            for c in 0..<k {
                                let d2 = Double(qn) + Double(index.centerNorms[c]) - 2 * Double(centerDots[i * k + c])
                                let l = qLength + index.centerLengths[c]
                                let e = mu * l * l + 1e-30
                                dlo[c] = max(d2 - e, 0).squareRoot(); dhi[c] = max(d2 + e, 0).squareRoot()
                                if dlo[c] < dlo[first] { first = c }
                            }
                            let qp = queryProjections + i * pk
                            for step in 0..<k {
                                let c = step == 0 ? first : (step <= first ? step - 1 : step)
                                // ρ: a member whose distance from q is proved > ρ cannot beat `best`.
                                let l = qLength + index.maxLength[c]
                                func radius() -> Double? {
                                    let t = Double(best) + Double(qn) + mu * l * l + 1e-30
                                    return t > 0 ? t.squareRoot() : nil
                                }
                                guard var rho = radius() else { continue }
                                let s0 = index.clusterStart[c], s1 = index.clusterStart[c + 1]
                                let pad = 1e-9 * (dhi[c] + rho) + 1e-30
                                if s0 == s1 || dlo[c] - rb[s1 - 1] > rho + pad { continue }
                                // The projection bound (docs/patchcore.md, "Pruned search", the margins):
                                // a computed ‖Uq − Um‖² above `limit(ρ)` proves ‖q − m‖ > ρ (the slack
                                // covers the rounding of Uq, Um and of the sum).
                                let slack = 2 * Double(pk).squareRoot() * Double(dim + 2) * 0x1p-24 * (projection?.rowLength ?? 0) * l
                                func limit(_ rho: Double) -> Float {
                                    let b = rho * (projection?.sigma ?? 1) + slack
                                    let x = b * b / (1 - 2 * Double(pk + 2) * 0x1p-24)
                                    let f = Float(x)
                                    return Double(f) >= x ? f : f.nextUp
                                }
                                // The whole cluster, by its members' box in the projected space.
                                if let lb, let hb, boxDistance(qp, lb + c * pk, hb + c * pk, pk) > limit(rho) { continue }
                                let lower = dlo[c] - rho - pad, upper = dhi[c] + rho + pad
                                if rb[s1 - 1] < lower || rb[s0] > upper { continue }
                                // First member with radius ≥ lower, first with radius > upper.
                                var a = s0, z = s1
                                while a < z { let m = (a + z) / 2; if rb[m] < lower { a = m + 1 } else { z = m } }
                                var e = a
                                z = s1
                                while e < z { let m = (e + z) / 2; if rb[m] <= upper { e = m + 1 } else { z = m } }
                                guard pk > 0, let pb else {
                                    var s = a
                                    while s < e {
                                        let n = min(batch, e - s)
                                        for t in 0..<n { idx[t] = mb[s + t] }
                                        evaluate(n)
                                        s += n
                                    }
                                    continue
                                }
                                var cut = limit(rho)
                                var n = 0
                                for t in a..<e {
                                    if projectedDistance(qp, pb + t * pk, pk) > cut { continue }
                                    idx[n] = mb[t]; n += 1
                                    if n == batch {
                                        evaluate(n); n = 0
                                        guard let r = radius() else { break }
                                        rho = r; cut = limit(rho)
                                    }
                                }
                                tested += e - a
                                if n > 0 { evaluate(n) }
                            }
                            seed = winner
                            ob[q0 + i] = max(qn + best, 0).squareRoot()
                        }
                    }
                    evaluated[w] = done
                    bounded[w] = tested
                }
            }
            }
            }
            }
            }
            }
            }
            }
            }
            }
        }
        return PrunedResult(distances: out, evaluated: evaluated.values.reduce(0, +), bounded: bounded.values.reduce(0, +))
    }
}

extension PatchCore {
    /// Which nearest-neighbour search `apply` runs: the pruned one (it falls
    /// back to the brute force where it cannot promise the same bits) or the
    /// brute force alone.
    package enum NNSearch: Sendable { case pruned, bruteForce }

    /// The search index of a detector's bank, built on first use.
    package final class SearchIndexCache: Sendable {
        private let index = Mutex<SearchIndex?>(nil)
        package init() {}
        func get(_ build: () -> SearchIndex) -> SearchIndex {
            index.withLock { stored in
                if let stored { return stored }
                let built = build()
                stored = built
                return built
            }
        }
    }

    /// ‖a − b‖² over k floats (k a multiple of 8), eight lanes at a time.
    @inline(__always)
    static func projectedDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ k: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        while i < k {
            let d = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self) - UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
            acc += d * d
            i += 8
        }
        return acc.sum()
    }

    /// Σ gap_i² over k floats (k a multiple of 8), gap_i = how far a[i] lies outside [low[i], high[i]].
    @inline(__always)
    static func boxDistance(_ a: UnsafePointer<Float>, _ low: UnsafePointer<Float>, _ high: UnsafePointer<Float>, _ k: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        while i < k {
            let x = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
            let below = UnsafeRawPointer(low + i).loadUnaligned(as: SIMD8<Float>.self) - x
            let above = x - UnsafeRawPointer(high + i).loadUnaligned(as: SIMD8<Float>.self)
            let gap = pointwiseMax(pointwiseMax(below, above), SIMD8<Float>())
            acc += gap * gap
            i += 8
        }
        return acc.sum()
    }

    /// The distances `apply` scores `count` query rows with, by `search`,
    /// and how many query–bank values the pruned search evaluated (nil: the
    /// brute force ran, count·bankCount values).
    package func nearestDistances(_ queries: [Float], count: Int, bankNorms: [Float]) -> (distances: [Float], evaluated: Int?) {
        let bankCount = memoryBank.count / dim
        if search == .pruned {
            let index = searchIndex.get { SearchIndex(bank: memoryBank, bankCount: bankCount, dim: dim) }
            if let r = Self.nearestDistancesPruned(queries, count: count, bank: memoryBank, bankNorms: bankNorms,
                                                   bankCount: bankCount, dim: dim, index: index) {
                return (r.distances, r.evaluated)
            }
        }
        return (Self.nearestDistances(queries, count: count, bank: memoryBank, bankNorms: bankNorms,
                                      bankCount: bankCount, dim: dim), nil)
    }
}
