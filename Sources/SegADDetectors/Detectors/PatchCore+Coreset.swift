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

    /// A patch of a group: its index and its stored minimum squared distance.
    struct Member { var i: Int32; var m: Float }

    /// A group's members, positions head..<ids.count, in order of decreasing
    /// stored minimum (increasing index on ties), with their projected rows
    /// interleaved by 8 (`rows[(q/8)·8·d + j·8 + q%8]` is coordinate j of
    /// position q). Members that moved away stay as dead entries (id −1)
    /// until they are `dead` > half the live ones; position head is live.
    struct GroupStore {
        var ids: [Int32] = []
        var ms: [Float] = []
        var rows: [Float] = []
        var head = 0
        var dead = 0
        var live: Int { ids.count - head - dead }

        /// A store of `list` (already in order), rows gathered from z.
        init(_ list: [Member], z: UnsafePointer<Float>, d: Int) {
            ids = list.map(\.i)
            ms = list.map(\.m)
            rows = [Float](repeating: 0, count: (list.count + 7) / 8 * 8 * d)
            rows.withUnsafeMutableBufferPointer { rp in
                for (q, e) in list.enumerated() {
                    let dst = rp.baseAddress! + (q / 8) * 8 * d + q % 8, src = z + Int(e.i) * d
                    for j in 0..<d { dst[j * 8] = src[j] }
                }
            }
        }
    }

    /// The pruned greedy k-center selection: the same indices as
    /// `kCenterGreedyPlain` for the same arguments (see the extension's doc).
    /// `progress` advances by selected centers.
    package static func kCenterGreedy(_ x: [Float], count n: Int, dim: Int, projection: [Float]?, projectedDim pd: Int,
                                      select: Int, start: Int, progress: StageProgress? = nil) -> [Int] {
        let (z, d) = project(x, count: n, dim: dim, projection: projection, projectedDim: pd)
        let steps = min(select, n)
        guard steps > 0 else { return [] }
        let workers = Parallel.cores
        let gamma = Double(d + 2) * 0x1p-24
        let kappa4 = 4 * (1 + 2 * gamma) / (1 - 2 * gamma)
        /// True when a computed squared distance s from a group's center to
        /// the new center proves a member with stored minimum m cannot move.
        @Sendable @inline(__always) func proves(_ s: Float, _ m: Float) -> Bool {
            s.isFinite && s > 1e-25 && Double(s) >= (Double(m) + 1e-40) * kappa4
        }
        /// The smallest Float f with f ≥ (m + 1e-40)·κ₄ and f > 1e-25: a partial
        /// sum ≥ f proves what `proves` does.
        @Sendable @inline(__always) func floorFor(_ m: Float) -> Float {
            let t = max((Double(m) + 1e-40) * kappa4, 2e-25)
            let f = Float(t)
            return Double(f) >= t ? f : f.nextUp
        }

        var group = [Int32](repeating: 0, count: n)
        // Per group (one per center, in order of addition; group 0 is `start`).
        var members: [GroupStore] = []
        var centers: [Int32] = [Int32(start)]
        var radius: [Float] = [0]
        var argmax: [Int32] = [0]
        members.reserveCapacity(steps + 1); centers.reserveCapacity(steps + 1)
        radius.reserveCapacity(steps + 1); argmax.reserveCapacity(steps + 1)
        var picked: [Int] = []
        picked.reserveCapacity(steps)
        var scan: [Int32] = [], scanS: [Float] = []
        // Centers' rows interleaved by 8 (see squaredDistancesInterleaved8),
        // and per group its distance to the new center and whether complete.
        let maxBlocks = (steps + 1 + 7) / 8
        var centerRows = [Float](repeating: 0, count: maxBlocks * 8 * d)
        var sv = [Float](repeating: 0, count: maxBlocks * 8)
        var full = [Bool](repeating: false, count: maxBlocks * 8)
        func addCenterRow(_ g: Int, _ row: UnsafePointer<Float>) {
            let base = (g / 8) * 8 * d + g % 8
            for j in 0..<d { centerRows[base + j * 8] = row[j] }
        }
        let moved = Parallel.Slots<[Member]>(workers, empty: [])
        let groupMax = Parallel.Slots<(Float, Int32)>(workers, empty: (-1, 0))
        var statS = 0, statScan = 0, statComputed = 0, statMoved = 0
        let stats = ProcessInfo.processInfo.environment["SEGAD_CORESET_STATS"] == "1"
        func cpuNow() -> Double { var ts = timespec(); clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9 }
        let cpuStart = cpuNow()
        var cpuScan = 0.0, cpuCenters = 0.0
        let computed = Parallel.Slots<Int>(workers, empty: 0)

        z.withUnsafeBufferPointer { zp in
        group.withUnsafeMutableBufferPointer { gp in
            // Shared by the workers of the steps below: all read z; a group's
            // members (and their entries in `group`) are scanned by one worker.
            let zb = SharedPointer(zp), grp = SharedPointer(gp)

            /// Scans a group against the new center c (point cIndex) whose
            /// squared distance to the group's center is sAC: members that get
            /// nearer to c than their stored minimum (and c itself) move to
            /// `out` and to group `newGroup`. Only the leading members the
            /// triangle bound does not clear are computed.
            @Sendable func scanGroup(_ st: inout GroupStore, c: UnsafePointer<Float>, cIndex: Int32, sAC: Float, newGroup: Int32,
                           out: inout [Member], done: inout Int) {
                let count = st.ids.count
                if st.head >= count { return }
                let head = st.head
                var died = 0
                st.ids.withUnsafeMutableBufferPointer { ip in
                st.ms.withUnsafeBufferPointer { mp in
                st.rows.withUnsafeBufferPointer { rp in
                    let ids = ip.baseAddress!, ms = mp.baseAddress!, rows = rp.baseAddress!
                    var first = head
                    if ids[head] == cIndex {
                        out.append(Member(i: cIndex, m: 0)); grp[Int(cIndex)] = newGroup; ids[head] = -1
                        first = head + 1; died += 1
                    }
                    var k = first
                    while k < count && (ids[k] < 0 || !proves(sAC, ms[k])) { k += 1 }
                    done += k - first
                    if k > first {
                        var b = first / 8
                        while b * 8 < k {
                            var floor = SIMD8<Float>(repeating: 0)
                            var any = false
                            for lane in 0..<8 {
                                let q = b * 8 + lane
                                if q >= first && q < k && ids[q] >= 0 { floor[lane] = ms[q]; any = true }
                            }
                            if any {
                                let (s, complete) = squaredDistancesInterleaved8(rows + b * 8 * d, d, c, floor: floor)
                                if complete {
                                    for lane in 0..<8 {
                                        let q = b * 8 + lane
                                        if q >= first && q < k && ids[q] >= 0 && s[lane] < ms[q] {
                                            out.append(Member(i: ids[q], m: s[lane]))
                                            grp[Int(ids[q])] = newGroup
                                            ids[q] = -1
                                            died += 1
                                        }
                                    }
                                }
                            }
                            b += 1
                        }
                    }
                }
                }
                }
                if died == 0 { return }
                st.dead += died
                while st.head < count && st.ids[st.head] < 0 { st.head += 1; st.dead -= 1 }
                if st.dead > 0 && st.dead * 2 > st.live {
                    // Drop the dead entries: a fresh store of the live ones.
                    var list: [Member] = []
                    list.reserveCapacity(st.live)
                    for q in st.head..<count where st.ids[q] >= 0 { list.append(Member(i: st.ids[q], m: st.ms[q])) }
                    st = GroupStore(list, z: zb.base, d: d)
                }
            }

            /// A group's (radius, argmax): its first live member.
            @Sendable func maxOf(_ st: GroupStore) -> (Float, Int32) {
                st.head < st.ids.count ? (st.ms[st.head], st.ids[st.head]) : (-1, 0)
            }
            func sortMembers(_ list: inout [Member]) {
                list.sort { $0.m > $1.m || ($0.m == $1.m && $0.i < $1.i) }
            }

            // Step 0: every patch against the start (all minima are +∞ before).
            do {
                let c = SharedPointer(zb + start * d)
                addCenterRow(0, c.base)
                let chunk = ((n + workers - 1) / workers + 7) / 8 * 8
                var first = [Member](repeating: Member(i: 0, m: 0), count: n)
                let indices = Array(0..<Int32(n))
                indices.withUnsafeBufferPointer { indexBuffer in
                    first.withUnsafeMutableBufferPointer { firstBuffer in
                        // Each worker writes the members of its own chunk.
                        let ip = SharedPointer(indexBuffer), fp = SharedPointer(firstBuffer)
                        DispatchQueue.concurrentPerform(iterations: workers) { wi in
                            let lo = min(n, wi * chunk), hi = min(n, lo + chunk)
                            var bv: Float = -1, bi: Int32 = 0
                            var i = lo
                            while i < hi {
                                let k = min(8, hi - i)
                                let (s, _) = squaredDistances8(zb.base, d, ip + i, k, c.base,
                                                               floor: SIMD8(repeating: .infinity))
                                for lane in 0..<k {
                                    let v = min(Float.infinity, s[lane])
                                    fp[i + lane] = Member(i: Int32(i + lane), m: v)
                                    if v > bv { bv = v; bi = Int32(i + lane) }
                                }
                                i += k
                            }
                            groupMax[wi] = (bv, bi)
                        }
                    }
                }
                var bv: Float = -1, bi: Int32 = 0
                for wi in 0..<workers where groupMax[wi].0 > bv { bv = groupMax[wi].0; bi = groupMax[wi].1 }
                sortMembers(&first)
                precondition(first[0].m == bv && first[0].i == bi)
                members.append(GroupStore(first, z: zb.base, d: d))
                radius[0] = bv; argmax[0] = bi
            }

            for t in 0..<steps {
                // The farthest patch: largest stored minimum, lowest index on ties.
                var best = 0
                for g in 1..<radius.count where radius[g] > radius[best] || (radius[g] == radius[best] && argmax[g] < argmax[best]) {
                    best = g
                }
                let p = argmax[best]
                let dFar = Double(radius[best])
                picked.append(Int(p))
                if t % 64 == 63 || t == steps - 1 { progress?.advance(t + 1) }
                if t == steps - 1 { break }

                // Add p as a center: which groups can change? Its own group
                // (p leaves it), and those whose radius the triangle bound
                // does not clear.
                let g0 = Int(grp[Int(p)])
                let gc = Int32(centers.count)
                let c = SharedPointer(zb + Int(p) * d)
                // Center-to-center distances (centers interleaved by 8), each
                // stopping as soon as it clears the group's radius; groups that
                // the far point's own distance D already clears need none.
                scan.removeAll(keepingCapacity: true)
                scanS.removeAll(keepingCapacity: true)
                let groups = centers.count
                let blocks = (groups + 7) / 8
                let tc0 = stats ? cpuNow() : 0
                centerRows.withUnsafeBufferPointer { centerBuffer in
                sv.withUnsafeMutableBufferPointer { svBuffer in
                full.withUnsafeMutableBufferPointer { fullBuffer in
                radius.withUnsafeBufferPointer { radiusBuffer in
                    // Each worker writes the distances of its own blocks of groups.
                    let cr = SharedPointer(centerBuffer), sp = SharedPointer(svBuffer)
                    let up = SharedPointer(fullBuffer), rp = SharedPointer(radiusBuffer)
                    let parts = blocks >= 64 ? workers : 1
                    let per = (blocks + parts - 1) / parts
                    DispatchQueue.concurrentPerform(iterations: parts) { wi in
                        var b = wi * per
                        let hi = min(blocks, b + per)
                        while b < hi {
                            var floor = SIMD8<Float>(repeating: 0)
                            var any = false
                            for lane in 0..<8 {
                                let g = b * 8 + lane
                                if g >= groups { break }
                                if g == g0 { floor[lane] = .infinity; any = true; continue }
                                let r = Double(rp[g])
                                if r <= 0 || (r.isFinite && dFar > 1e-25 && (r + 1e-40) * kappa4 <= dFar) { continue }
                                floor[lane] = floorFor(rp[g]); any = true
                            }
                            if any {
                                let (s, complete) = squaredDistancesInterleaved8(cr + b * 8 * d, d, c.base, floor: floor)
                                for lane in 0..<8 { sp[b * 8 + lane] = s[lane]; up[b * 8 + lane] = complete && floor[lane] > 0 }
                            } else {
                                for lane in 0..<8 { up[b * 8 + lane] = false }
                            }
                            b += 1
                        }
                    }
                }
                }
                }
                }
                if stats { cpuCenters += cpuNow() - tc0 }
                for g in 0..<groups where full[g] {
                    if g != g0 && proves(sv[g], radius[g]) { continue }
                    scan.append(Int32(g)); scanS.append(sv[g])
                }
                let m = groups
                // Scan the groups that may change, on both cores if worth it.
                var work = 0
                for g in scan { work += members[Int(g)].live }
                if stats { statS += m; statScan += work }
                let parts = work >= 4096 ? workers : 1
                let ts0 = stats ? cpuNow() : 0
                defer { if stats { cpuScan += cpuNow() - ts0 } }
                var bounds = [0]
                if parts > 1 {
                    var acc = 0, target = work / parts
                    for (j, g) in scan.enumerated() {
                        acc += members[Int(g)].live
                        if acc >= target && bounds.count < parts { bounds.append(j + 1); target += work / parts }
                    }
                }
                while bounds.count <= parts { bounds.append(scan.count) }
                bounds[parts] = scan.count
                let cuts = bounds
                members.withUnsafeMutableBufferPointer { membersBuffer in
                radius.withUnsafeMutableBufferPointer { radiusBuffer in
                argmax.withUnsafeMutableBufferPointer { argmaxBuffer in
                scan.withUnsafeBufferPointer { scanBuffer in
                scanS.withUnsafeBufferPointer { scanSBuffer in
                    // Each worker scans its own run scan[cuts[wi]..<cuts[wi + 1]] of distinct groups.
                    let memp = SharedPointer(membersBuffer), rp = SharedPointer(radiusBuffer)
                    let ap = SharedPointer(argmaxBuffer), sp = SharedPointer(scanBuffer), ssp = SharedPointer(scanSBuffer)
                    DispatchQueue.concurrentPerform(iterations: parts) { wi in
                        var out: [Member] = []
                        var done = 0
                        for j in cuts[wi]..<cuts[wi + 1] {
                            let g = Int(sp[j])
                            scanGroup(&memp[g], c: c.base, cIndex: p, sAC: ssp[j], newGroup: gc, out: &out, done: &done)
                            let (r, a) = maxOf(memp[g])
                            rp[g] = max(r, 0); ap[g] = a
                        }
                        moved[wi] = out
                        computed[wi] = done
                    }
                }
                }
                }
                }
                }
                var newMembers: [Member] = []
                for wi in 0..<parts {
                    newMembers += moved[wi]; moved[wi] = []
                    if stats { statComputed += computed[wi] }
                }
                if stats { statMoved += newMembers.count }
                sortMembers(&newMembers)
                let store = GroupStore(newMembers, z: zb.base, d: d)
                let (r, a) = maxOf(store)
                members.append(store)
                addCenterRow(centers.count, c.base)
                centers.append(p)
                radius.append(r); argmax.append(a)
            }
        }
        }
        if stats {
            print("coreset stats: n=\(n) steps=\(steps) center-distances=\(statS) scanned=\(statScan) computed=\(statComputed) moved=\(statMoved) cpu=\(cpuNow() - cpuStart) centers_cpu=\(cpuCenters) scan_cpu=\(cpuScan)")
        }
        return picked
    }
}
