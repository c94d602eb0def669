import Dispatch
import Foundation
import SegADNative

// The steps of the pruned greedy k-center selection (`PatchCore.kCenterGreedy`;
// the method and why each skip is exact: PatchCore+Coreset.swift and
// docs/patchcore.md).

extension PatchCore {
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

        /// The group's (radius, argmax): its first live member.
        var maximum: (Float, Int32) {
            head < ids.count ? (ms[head], ids[head]) : (-1, 0)
        }

        /// Orders members as a store keeps them: decreasing stored minimum,
        /// increasing index on ties.
        static func sort(_ list: inout [Member]) {
            list.sort { $0.m > $1.m || ($0.m == $1.m && $0.i < $1.i) }
        }
    }

    /// What every worker of a step reads: the projected rows z (n × d), the
    /// group of each patch, and the rounding bound of a computed squared
    /// distance that makes a triangle-inequality skip exact.
    struct CoresetGeometry: Sendable {
        let z: SharedPointer<Float>
        let group: SharedPointer<Int32>
        let d: Int
        /// 4·κ, κ = (1+2γ)/(1−2γ), γ = (d+2)·2⁻²⁴.
        let kappa4: Double

        init(z: SharedPointer<Float>, group: SharedPointer<Int32>, d: Int) {
            self.z = z; self.group = group; self.d = d
            let gamma = Double(d + 2) * 0x1p-24
            kappa4 = 4 * (1 + 2 * gamma) / (1 - 2 * gamma)
        }

        /// True when a computed squared distance s from a group's center to
        /// the new center proves a member with stored minimum m cannot move.
        @inline(__always) func proves(_ s: Float, _ m: Float) -> Bool {
            s.isFinite && s > 1e-25 && Double(s) >= (Double(m) + 1e-40) * kappa4
        }

        /// The smallest Float f with f ≥ (m + 1e-40)·κ₄ and f > 1e-25: a partial
        /// sum ≥ f proves what `proves` does.
        @inline(__always) func floorFor(_ m: Float) -> Float {
            let t = max((Double(m) + 1e-40) * kappa4, 2e-25)
            let f = Float(t)
            return Double(f) >= t ? f : f.nextUp
        }

        /// Scans a group against the new center c (point cIndex) whose
        /// squared distance to the group's center is sAC: members that get
        /// nearer to c than their stored minimum (and c itself) move to
        /// `out` and to group `newGroup`. Only the leading members the
        /// triangle bound does not clear are computed.
        func scanGroup(_ st: inout GroupStore, c: UnsafePointer<Float>, cIndex: Int32, sAC: Float, newGroup: Int32,
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
                    out.append(Member(i: cIndex, m: 0)); group[Int(cIndex)] = newGroup; ids[head] = -1
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
                                        group[Int(ids[q])] = newGroup
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
                st = GroupStore(list, z: z.base, d: d)
            }
        }
    }

    /// One run of the pruned selection: the groups (one per center, in order
    /// of addition; group 0 is the start), their radii and argmaxes, the
    /// centers' rows, and the buffers a step reuses. Lives inside the
    /// `withUnsafe…BufferPointer` calls that give `geometry` its pointers.
    struct KCenterGreedyRun {
        let geometry: CoresetGeometry
        let n: Int
        let start: Int
        let workers = Parallel.cores
        var members: [GroupStore] = []
        var centers: [Int32]
        var radius: [Float] = [0]
        var argmax: [Int32] = [0]
        var scan: [Int32] = [], scanS: [Float] = []
        // Centers' rows interleaved by 8 (see squaredDistancesInterleaved8),
        // and per group its distance to the new center and whether complete.
        var centerRows: [Float]
        var sv: [Float]
        var full: [Bool]
        let moved: Parallel.Slots<[Member]>
        let groupMax: Parallel.Slots<(Float, Int32)>
        let computed: Parallel.Slots<Int>
        /// SEGAD_CORESET_STATS=1 prints the work done (docs/patchcore.md).
        let stats = ProcessInfo.processInfo.environment["SEGAD_CORESET_STATS"] == "1"
        var statS = 0, statScan = 0, statComputed = 0, statMoved = 0
        var cpuStart = 0.0, cpuScan = 0.0, cpuCenters = 0.0

        init(_ geometry: CoresetGeometry, count n: Int, steps: Int, start: Int) {
            self.geometry = geometry; self.n = n; self.start = start
            centers = [Int32(start)]
            members.reserveCapacity(steps + 1); centers.reserveCapacity(steps + 1)
            radius.reserveCapacity(steps + 1); argmax.reserveCapacity(steps + 1)
            let maxBlocks = (steps + 1 + 7) / 8
            centerRows = [Float](repeating: 0, count: maxBlocks * 8 * geometry.d)
            sv = [Float](repeating: 0, count: maxBlocks * 8)
            full = [Bool](repeating: false, count: maxBlocks * 8)
            moved = Parallel.Slots<[Member]>(workers, empty: [])
            groupMax = Parallel.Slots<(Float, Int32)>(workers, empty: (-1, 0))
            computed = Parallel.Slots<Int>(workers, empty: 0)
            cpuStart = Self.cpuNow()
        }

        static func cpuNow() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
        }

        mutating func addCenterRow(_ g: Int, _ row: UnsafePointer<Float>) {
            let d = geometry.d
            let base = (g / 8) * 8 * d + g % 8
            for j in 0..<d { centerRows[base + j * 8] = row[j] }
        }

        /// Step 0: every patch against the start (all minima are +∞ before);
        /// all of them form group 0.
        mutating func measureAgainstStart() {
            let (n, d, workers, zb, groupMax) = (n, geometry.d, workers, geometry.z, groupMax)
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
            GroupStore.sort(&first)
            precondition(first[0].m == bv && first[0].i == bi)
            members.append(GroupStore(first, z: zb.base, d: d))
            radius[0] = bv; argmax[0] = bi
        }

        /// The farthest patch: largest stored minimum, lowest index on ties;
        /// with its stored minimum D.
        func farthestPatch() -> (Int32, Double) {
            var best = 0
            for g in 1..<radius.count where radius[g] > radius[best] || (radius[g] == radius[best] && argmax[g] < argmax[best]) {
                best = g
            }
            return (argmax[best], Double(radius[best]))
        }

        /// Adds patch p (stored minimum `dFar`) as a center. Which groups can
        /// change? Its own group (p leaves it), and those whose radius the
        /// triangle bound does not clear: they are scanned, and the patches
        /// that moved to p form its group.
        mutating func addCenter(_ p: Int32, farthest dFar: Double) {
            let g0 = Int(geometry.group[Int(p)])
            let gc = Int32(centers.count)
            let c = SharedPointer(geometry.z + Int(p) * geometry.d)
            let tc0 = stats ? Self.cpuNow() : 0
            measureCenterDistances(to: c, ownGroup: g0, farthest: dFar)
            if stats { cpuCenters += Self.cpuNow() - tc0 }
            selectGroupsToScan(ownGroup: g0)
            let ts0 = stats ? Self.cpuNow() : 0
            defer { if stats { cpuScan += Self.cpuNow() - ts0 } }
            var newMembers = scanSelectedGroups(center: c, index: p, newGroup: gc)
            if stats { statMoved += newMembers.count }
            GroupStore.sort(&newMembers)
            let store = GroupStore(newMembers, z: geometry.z.base, d: geometry.d)
            let (r, a) = store.maximum
            members.append(store)
            addCenterRow(centers.count, c.base)
            centers.append(p)
            radius.append(r); argmax.append(a)
        }

        /// Center-to-center distances (centers interleaved by 8) into `sv`
        /// and `full`, each stopping as soon as it clears the group's radius;
        /// groups that the far point's own distance D already clears need none.
        mutating func measureCenterDistances(to c: SharedPointer<Float>, ownGroup g0: Int, farthest dFar: Double) {
            let (geometry, workers, d) = (geometry, workers, geometry.d)
            let groups = centers.count
            let blocks = (groups + 7) / 8
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
                            if r <= 0 || (r.isFinite && dFar > 1e-25 && (r + 1e-40) * geometry.kappa4 <= dFar) { continue }
                            floor[lane] = geometry.floorFor(rp[g]); any = true
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
        }

        /// The groups to scan (into `scan`, with their distance in `scanS`):
        /// every group with a complete distance that does not prove all its
        /// members stay, and the new center's own group.
        mutating func selectGroupsToScan(ownGroup g0: Int) {
            scan.removeAll(keepingCapacity: true)
            scanS.removeAll(keepingCapacity: true)
            for g in 0..<centers.count where full[g] {
                if g != g0 && geometry.proves(sv[g], radius[g]) { continue }
                scan.append(Int32(g)); scanS.append(sv[g])
            }
        }

        /// Scans the groups in `scan` against the new center (on both cores
        /// when the live members to look at are many), updates their radius
        /// and argmax, and returns the members that moved to the new center.
        mutating func scanSelectedGroups(center c: SharedPointer<Float>, index p: Int32, newGroup gc: Int32) -> [Member] {
            let (geometry, workers, moved, computed) = (geometry, workers, moved, computed)
            var work = 0
            for g in scan { work += members[Int(g)].live }
            if stats { statS += centers.count; statScan += work }
            let parts = work >= 4096 ? workers : 1
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
                        geometry.scanGroup(&memp[g], c: c.base, cIndex: p, sAC: ssp[j], newGroup: gc, out: &out, done: &done)
                        let (r, a) = memp[g].maximum
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
            return newMembers
        }

        func printStatsIfAsked() {
            guard stats else { return }
            let steps = centers.count
            print("coreset stats: n=\(n) steps=\(steps) center-distances=\(statS) scanned=\(statScan) computed=\(statComputed) moved=\(statMoved) cpu=\(Self.cpuNow() - cpuStart) centers_cpu=\(cpuCenters) scan_cpu=\(cpuScan)")
        }
    }
}
