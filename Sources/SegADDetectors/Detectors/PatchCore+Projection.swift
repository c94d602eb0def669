import Foundation
import SegADKernels
internal import COpenBLAS

/// The second filter of the pruned search (docs/patchcore.md, "Pruned
/// search"): for rows U of a nearly orthonormal k × dim matrix (the bank's
/// k leading principal directions), ‖q − m‖ ≥ ‖U(q − m)‖ / σ with σ ≥ U's
/// largest singular value, and ‖U(q − m)‖ costs k multiply-adds instead of
/// dim once the bank's projections Um are stored and Uq computed per query.
/// The principal directions make the bound tight (most of the features'
/// spread lies in a few directions); any U would keep it valid.
extension PatchCore {
    struct ProjectionBound: Sendable {
        /// k × dim, row-major.
        let basis: [Float]
        let k: Int
        /// σ ≥ the largest singular value of `basis` (as stored, in float).
        let sigma: Double
        /// max over rows of ‖U_i‖ (bounds the rounding of U·x: |fl(U_i·x) − U_i·x| ≤ γ_dim·‖U_i‖·‖x‖).
        let rowLength: Double

        /// The k (≤ 32, a multiple of 8) leading principal directions of the
        /// bank's rows, by subspace iteration on their covariance (of at most
        /// 4096 rows). Nil when dim < 8.
        init?(bank: [Float], count: Int, dim: Int) {
            let k = min(32, dim / 8 * 8)
            guard k >= 8, count > 0 else { return nil }
            let stride = max(1, count / 4096)
            let rows = Array(Swift.stride(from: 0, to: count, by: stride))
            var mean = [Double](repeating: 0, count: dim)
            for r in rows { for j in 0..<dim { mean[j] += Double(bank[r * dim + j]) } }
            for j in 0..<dim { mean[j] /= Double(rows.count) }
            var x = [Float](repeating: 0, count: rows.count * dim)
            for (i, r) in rows.enumerated() { for j in 0..<dim { x[i * dim + j] = Float(Double(bank[r * dim + j]) - mean[j]) } }
            var cov = [Float](repeating: 0, count: dim * dim)
            BLASThreads.with(1) {
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(dim), Int32(dim), Int32(rows.count),
                            1, x, Int32(dim), x, Int32(dim), 0, &cov, Int32(dim))
            }
            let c = cov.map(Double.init)
            // Subspace iteration: Q ← orthonormalize(C·Q), Q dim × k (column j at q[j·dim...]).
            var rng = SplitMix64(seed: 0x9CA)
            var q = (0..<(k * dim)).map { _ in Double(rng.next() >> 11) * 0x1p-53 - 0.5 }
            func orthonormalize(_ q: inout [Double]) {
                for a in 0..<k {
                    for b in 0..<a {
                        var dot = 0.0
                        for j in 0..<dim { dot += q[a * dim + j] * q[b * dim + j] }
                        for j in 0..<dim { q[a * dim + j] -= dot * q[b * dim + j] }
                    }
                    var n = 0.0
                    for j in 0..<dim { n += q[a * dim + j] * q[a * dim + j] }
                    n = n.squareRoot()
                    for j in 0..<dim { q[a * dim + j] = n > 0 ? q[a * dim + j] / n : (j == a ? 1 : 0) }
                }
            }
            orthonormalize(&q)
            for _ in 0..<12 {
                // Z = Q·C (rows of Q are the directions; C is symmetric).
                var z = [Double](repeating: 0, count: k * dim)
                BLASThreads.with(1) {
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(k), Int32(dim), Int32(dim),
                                1, q, Int32(dim), c, Int32(dim), 0, &z, Int32(dim))
                }
                orthonormalize(&z)
                q = z
            }
            let basis = q.map { Float($0) }
            // σ² ≤ the largest absolute row sum of G = U·Uᵀ (Gershgorin), computed from the stored floats.
            var maxRowSum = 0.0, maxRow = 0.0
            for a in 0..<k {
                var sum = 0.0
                for b in 0..<k {
                    var g = 0.0
                    for j in 0..<dim { g += Double(basis[a * dim + j]) * Double(basis[b * dim + j]) }
                    sum += abs(g)
                    if a == b { maxRow = max(maxRow, g.squareRoot()) }
                }
                maxRowSum = max(maxRowSum, sum)
            }
            self.basis = basis
            self.k = k
            sigma = (maxRowSum * (1 + 1e-9)).squareRoot()
            rowLength = maxRow * (1 + 1e-9)
        }

        /// Projections of `count` rows (count × dim): count × k, by sgemm.
        func project(_ x: UnsafePointer<Float>, count: Int, dim: Int, into out: UnsafeMutablePointer<Float>) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(count), Int32(k), Int32(dim),
                        1, x, Int32(dim), basis, Int32(dim), 0, out, Int32(k))
        }
    }
}
