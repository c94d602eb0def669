import Dispatch
import Foundation
internal import COpenBLAS

/// PatchCore's nearest-neighbour search: for each query row, the Euclidean
/// distance to its nearest memory-bank row, √max(‖q‖² + min_m(‖m‖² − 2q·m), 0).
///
/// The squared norms come from BLAS (sdot); the cross terms −2q·m from sgemm
/// on tiles of `queryTile` queries × `bankTile` bank rows, small enough that
/// the tile stays in the core's cache while the min over it is taken (eight
/// running minima, vectorized by the compiler). The query tiles are shared out over both cores, each running a
/// one-threaded sgemm on its own tiles, so the sgemm and the min pass of a
/// tile run on the same core back to back.
extension PatchCore {
    package static let queryTile = 256
    package static let bankTile = 1024

    /// ‖row‖² of each of `count` rows (count × dim), by sdot.
    package static func squaredNorms(_ x: UnsafePointer<Float>, count: Int, dim: Int) -> [Float] {
        (0..<count).map { i in cblas_sdot(Int32(dim), x + i * dim, 1, x + i * dim, 1) }
    }

    /// For each of `count` query rows (count × dim), the Euclidean distance to
    /// its nearest bank row (bankCount × dim). O(count·bankCount·dim).
    package static func nearestDistances(_ q: [Float], count: Int, bank: [Float], bankCount: Int, dim: Int) -> [Float] {
        let bn = bank.withUnsafeBufferPointer { squaredNorms($0.baseAddress!, count: bankCount, dim: dim) }
        return nearestDistances(q, count: count, bank: bank, bankNorms: bn, bankCount: bankCount, dim: dim)
    }

    /// As above, with the bank's squared norms given (computed once per bank).
    package static func nearestDistances(_ q: [Float], count: Int, bank: [Float], bankNorms: [Float],
                                         bankCount: Int, dim: Int) -> [Float] {
        guard count > 0 else { return [] }
        var out = [Float](repeating: 0, count: count)
        let tiles = (count + queryTile - 1) / queryTile
        let workers = min(Parallel.cores, tiles)
        let next = Parallel.Counter()
        BLASThreads.with(1) {
            q.withUnsafeBufferPointer { qp in
            bank.withUnsafeBufferPointer { bp in
            bankNorms.withUnsafeBufferPointer { np in
            out.withUnsafeMutableBufferPointer { op in
                // Shared by the workers: all read the queries, the bank and its norms; each
                // writes the distances of the query tiles it takes (a tile goes to one worker).
                let qb = SharedPointer(qp), bb = SharedPointer(bp), nb = SharedPointer(np), ob = SharedPointer(op)
                DispatchQueue.concurrentPerform(iterations: workers) { _ in
                    let prod = UnsafeMutablePointer<Float>.allocate(capacity: queryTile * bankTile)
                    defer { prod.deallocate() }
                    var best = [Float](repeating: .infinity, count: queryTile)
                    while true {
                        let tile = next.increment() - 1
                        if tile >= tiles { break }
                        let q0 = tile * queryTile, mq = min(queryTile, count - q0)
                        for i in 0..<mq { best[i] = .infinity }
                        var b0 = 0
                        while b0 < bankCount {
                            let mb = min(bankTile, bankCount - b0)
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(mq), Int32(mb), Int32(dim),
                                        -2, qb + q0 * dim, Int32(dim), bb + b0 * dim, Int32(dim), 0, prod, Int32(mb))
                            for i in 0..<mq {
                                best[i] = min(best[i], rowMin(prod + i * mb, nb + b0, mb))
                            }
                            b0 += mb
                        }
                        for i in 0..<mq {
                            let row = qb + (q0 + i) * dim
                            let qn = cblas_sdot(Int32(dim), row, 1, row, 1)
                            ob[q0 + i] = max(qn + best[i], 0).squareRoot()
                        }
                    }
                }
            }
            }
            }
            }
        }
        return out
    }

    /// min_j (p[j] + n[j]) over j < m: eight independent running minima
    /// that the compiler turns into vector min instructions. (The stdlib's
    /// `pointwiseMin` on SIMD16<Float> measured ~60× slower here.)
    @inline(__always)
    static func rowMin(_ p: UnsafePointer<Float>, _ n: UnsafePointer<Float>, _ m: Int) -> Float {
        var r0 = Float.infinity, r1 = r0, r2 = r0, r3 = r0, r4 = r0, r5 = r0, r6 = r0, r7 = r0
        var j = 0
        while j + 8 <= m {
            let v0 = p[j] + n[j], v1 = p[j + 1] + n[j + 1], v2 = p[j + 2] + n[j + 2], v3 = p[j + 3] + n[j + 3]
            let v4 = p[j + 4] + n[j + 4], v5 = p[j + 5] + n[j + 5], v6 = p[j + 6] + n[j + 6], v7 = p[j + 7] + n[j + 7]
            r0 = v0 < r0 ? v0 : r0; r1 = v1 < r1 ? v1 : r1; r2 = v2 < r2 ? v2 : r2; r3 = v3 < r3 ? v3 : r3
            r4 = v4 < r4 ? v4 : r4; r5 = v5 < r5 ? v5 : r5; r6 = v6 < r6 ? v6 : r6; r7 = v7 < r7 ? v7 : r7
            j += 8
        }
        var r = min(min(min(r0, r1), min(r2, r3)), min(min(r4, r5), min(r6, r7)))
        while j < m { r = min(r, p[j] + n[j]); j += 1 }
        return r
    }
}
