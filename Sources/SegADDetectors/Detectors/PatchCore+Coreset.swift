import Dispatch
import Foundation
import SegADNative
internal import COpenBLAS

/// The greedy k-center coreset of PatchCore's fit, twice:
///
/// - `kCenterGreedyPlain`, the reference: every step recomputes every
///   patch's squared distance to the new center in a scalar loop
///   (`s += t·t` over the coordinates in order) and takes the patch with the
///   largest minimum (lowest index on ties). O(n·d·select).
/// - `kCenterGreedy`, the same selection, exactly: the same squared
///   distances bit for bit (each lane of an 8-wide SIMD register runs the
///   reference's scalar recurrence for one patch), the same stored minima,
///   the same argmax, but most patches are never looked at again:
///
///   Every patch keeps the chosen center it is nearest to (its group); a
///   group's radius R is the largest stored minimum among its members. When
///   a new center c is added, a patch x of the group of center a cannot
///   move if d(a, c) ≥ 2·d(x, a) (triangle inequality: d(x, c) ≥ d(a, c) −
///   d(x, a) ≥ d(x, a)), so the whole group is skipped when
///   S ≥ 4·R·κ, S the computed squared distance a–c and κ = (1+2γ)/(1−2γ)
///   with γ = (d+2)·2⁻²⁴ the relative error bound of a computed squared
///   distance, so that the skip also holds for the computed (rounded)
///   values: the stored minimum of every skipped patch is provably what the
///   reference stores. Since c was the farthest patch, S ≥ D (c's own stored
///   minimum), so groups with 4·R·κ ≤ D are skipped without computing S.
///   Groups whose radius is 0 never change. Within a group that is not
///   skipped, members are kept in order of decreasing stored minimum, so
///   the members the same test clears (S ≥ 4·m·κ) are a suffix that is
///   never read. Every distance stops early once all 8 lanes have passed
///   their threshold (a partial sum of non-negative terms never exceeds the
///   full sum). Rows are stored interleaved by 8 per group and for the
///   centers (contiguous SIMD loads); center distances and group scans run
///   on both cores when the step has enough work. See docs/patchcore.md.
///
/// Both take the projected set z (n × pd); see `project`.
extension PatchCore {
    /// z = x · projection (n × pd) by sgemm, or x itself without a projection.
    package static func project(_ x: [Float], count n: Int, dim: Int, projection: [Float]?, projectedDim pd: Int) -> (z: [Float], d: Int) {
        guard let proj = projection else { return (x, dim) }
        var z = [Float](repeating: 0, count: n * pd)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(pd), Int32(dim),
                    1, x, Int32(dim), proj, Int32(pd), 0, &z, Int32(pd))
        return (z, pd)
    }

    /// The reference greedy k-center selection (the algorithm before the
    /// pruned one; kept for the identity test and the benchmark): `select`
    /// rows of x (count × dim) measured after projecting x by `projection`
    /// (dim × projectedDim); returns the selected row indices in order.
    package static func kCenterGreedyPlain(_ x: [Float], count n: Int, dim: Int, projection: [Float]?, projectedDim pd: Int,
                                           select: Int, start: Int) -> [Int] {
        let (z, d) = project(x, count: n, dim: dim, projection: projection, projectedDim: pd)
        var minDist = [Float](repeating: .infinity, count: n)
        var picked: [Int] = []
        picked.reserveCapacity(select)
        let workers = Parallel.cores
        let chunk = (n + workers - 1) / workers
        var center = start
        let best = Parallel.Slots<(Float, Int)>(workers, empty: (-1, 0))
        z.withUnsafeBufferPointer { zp in
            minDist.withUnsafeMutableBufferPointer { mp in
                // Shared by the workers: all read z; each updates the minima of its own chunk.
                let zb = SharedPointer(zp), mb = SharedPointer(mp)
                for _ in 0..<min(select, n) {
                    let c = SharedPointer(zb + center * d)
                    DispatchQueue.concurrentPerform(iterations: workers) { wi in
                        let lo = wi * chunk, hi = min(n, lo + chunk)
                        var bv: Float = -1, bi = lo
                        var i = lo
                        while i < hi {
                            let row = zb + i * d
                            var s: Float = 0
                            for j in 0..<d { let t = row[j] - c[j]; s += t * t }
                            let m = min(mb[i], s)
                            mb[i] = m
                            if m > bv { bv = m; bi = i }
                            i += 1
                        }
                        best[wi] = (bv, bi)
                    }
                    var bv: Float = -1, bi = 0
                    for wi in 0..<workers where best[wi].0 > bv { bv = best[wi].0; bi = best[wi].1 }
                    mb[bi] = 0
                    picked.append(bi)
                    center = bi
                }
            }
        }
        return picked
    }

    /// Squared distances from up to 8 rows of z (indices `idx[0..<m]`) to the
    /// row at `c`, each lane computed exactly as the reference's scalar loop
    /// (lanes past m repeat row idx[0]). Stops early, every 16 coordinates,
    /// once every lane's partial sum is finite and ≥ its lane of `floor`: the
    /// full sums would be ≥ them too (the terms are ≥ 0 and rounded addition
    /// is monotone). Returns the sums and whether they are complete.
    @inline(__always)
    static func squaredDistances8(_ z: UnsafePointer<Float>, _ d: Int, _ idx: UnsafePointer<Int32>, _ m: Int,
                                  _ c: UnsafePointer<Float>, floor: SIMD8<Float>) -> (SIMD8<Float>, Bool) {
        let p0 = z + Int(idx[0]) * d
        let p1 = m > 1 ? z + Int(idx[1]) * d : p0, p2 = m > 2 ? z + Int(idx[2]) * d : p0
        let p3 = m > 3 ? z + Int(idx[3]) * d : p0, p4 = m > 4 ? z + Int(idx[4]) * d : p0
        let p5 = m > 5 ? z + Int(idx[5]) * d : p0, p6 = m > 6 ? z + Int(idx[6]) * d : p0
        let p7 = m > 7 ? z + Int(idx[7]) * d : p0
        var s = SIMD8<Float>(repeating: 0)
        var j = 0
        while j < d {
            let end = min(d, j + 16)
            while j < end {
                let v = SIMD8<Float>(p0[j], p1[j], p2[j], p3[j], p4[j], p5[j], p6[j], p7[j])
                let t = v - SIMD8<Float>(repeating: c[j])
                s += t * t
                j += 1
            }
            if j < d && all((s .>= floor) .& (s .< .infinity)) { return (s, false) }
        }
        return (s, true)
    }

    /// As `squaredDistances8` for 8 rows stored interleaved (`block[j·8 + lane]`
    /// is coordinate j of lane's row): the same per-lane arithmetic, contiguous loads.
    @inline(__always)
    static func squaredDistancesInterleaved8(_ block: UnsafePointer<Float>, _ d: Int, _ c: UnsafePointer<Float>,
                                             floor: SIMD8<Float>) -> (SIMD8<Float>, Bool) {
        let raw = UnsafeRawPointer(block)
        var s = SIMD8<Float>(repeating: 0)
        var j = 0
        while j < d {
            let end = min(d, j + 16)
            while j < end {
                let t = raw.loadUnaligned(fromByteOffset: j * 32, as: SIMD8<Float>.self) - SIMD8<Float>(repeating: c[j])
                s += t * t
                j += 1
            }
            if j < d && all((s .>= floor) .& (s .< .infinity)) { return (s, false) }
        }
        return (s, true)
    }

    /// The pruned greedy k-center selection: the same indices as
    /// `kCenterGreedyPlain` for the same arguments (see the extension's doc).
    /// `progress` advances by selected centers. The steps are
    /// `KCenterGreedyRun`'s (PatchCore+CoresetSteps.swift): measure every
    /// patch against the start, then per step take the farthest patch and
    /// add it as a center (center distances, the groups they do not clear,
    /// those groups scanned, the movers as the new group).
    package static func kCenterGreedy(_ x: [Float], count n: Int, dim: Int, projection: [Float]?, projectedDim pd: Int,
                                      select: Int, start: Int, progress: StageProgress? = nil) -> [Int] {
        let (z, d) = project(x, count: n, dim: dim, projection: projection, projectedDim: pd)
        let steps = min(select, n)
        guard steps > 0 else { return [] }
        var group = [Int32](repeating: 0, count: n)
        var picked: [Int] = []
        picked.reserveCapacity(steps)
        z.withUnsafeBufferPointer { zp in
        group.withUnsafeMutableBufferPointer { gp in
            // Shared by the workers of the steps: all read z; a group's
            // members (and their entries in `group`) are scanned by one worker.
            var run = KCenterGreedyRun(CoresetGeometry(z: SharedPointer(zp), group: SharedPointer(gp), d: d),
                                       count: n, steps: steps, start: start)
            run.measureAgainstStart()
            for t in 0..<steps {
                let (p, farthest) = run.farthestPatch()
                picked.append(Int(p))
                if t % 64 == 63 || t == steps - 1 { progress?.advance(t + 1) }
                if t == steps - 1 { break }
                run.addCenter(p, farthest: farthest)
            }
            run.printStatsIfAsked()
        }
        }
        return picked
    }
}
