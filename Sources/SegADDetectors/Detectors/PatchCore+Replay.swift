import Foundation
import Synchronization
import SegADKernels
internal import COpenBLAS
internal import CConvKernels

/// Which arithmetic OpenBLAS's sgemm uses for each cell of a tile, so the
/// pruned search can recompute single cells bit for bit
/// (docs/patchcore.md, "Pruned search: the same bits").
///
/// The brute force takes the cross terms −2·q·m from one-threaded sgemm
/// calls on tiles of `queryTile` × `bankTile`. A cell's value is the same
/// dot product in every call, but not the same bits: OpenBLAS's kernels sum
/// it as one fused multiply-add chain in most cells and as two chains (even
/// and odd k) in others, and which cells get which depends on the call's
/// shape and the cell's place in it, not on the data or the addresses
/// (measured: OpenBLAS 0.3.21, Zen). So for each tile shape the search
/// uses, a map of the variant of every cell is measured once per process by
/// running that very sgemm call on seeded random tiles and comparing every
/// cell with the two variants (`segad_nn_tile`); a cell's variant is the
/// one that matched in every round: first on rows built so that the two
/// variants differ in every cell, then on `replayRounds` rounds of random
/// rows. If some cell matches neither (another BLAS, another CPU, an odd K),
/// there is no map and the search falls back to the brute force.
extension PatchCore {
    /// A tile shape: rows (queries) × columns (bank rows) × dim.
    struct TileShape: Hashable { var rows: Int; var cols: Int; var dim: Int }

    /// Measured maps by shape (nil: no variant explains some cell).
    private static let replayMaps = Mutex<[TileShape: [UInt8]?]>([:])

    /// Rounds of random tiles a map is checked on after the deciding round; a cell's variant must match in each.
    static let replayRounds = 3

    /// The variant (0 one chain, 1 even/odd chains) of cell (i, j) is
    /// `map[i·cols + j]`; nil when the calls of this shape cannot be replayed.
    static func replayMap(_ shape: TileShape) -> [UInt8]? {
        if let known = replayMaps.withLock({ $0[shape] }) { return known }
        let map = measureReplayMap(shape)
        replayMaps.withLock { $0[shape] = map }
        return map
    }

    /// Runs the brute force's sgemm call of this shape on seeded random
    /// tiles and keeps, per cell, the variants that give its bits.
    static func measureReplayMap(_ s: TileShape) -> [UInt8]? {
        guard s.rows > 0, s.cols > 0, s.dim >= 4 else { return nil }
        let cells = s.rows * s.cols
        // Bit v set: variant v gave the cell's bits in every round so far.
        var possible = [UInt8](repeating: 3, count: cells)
        var rng = SplitMix64(seed: 0x5EAD_5EED ^ UInt64(s.rows << 40 | s.cols << 20 | s.dim))
        var v = [Float](repeating: 0, count: cells)
        for round in 0...replayRounds {
            let a: [Float], b: [Float]
            if round == 0 {
                // Rows that tell the two orders apart in every cell: a = 1…1 and
                // b = (1, ε, 0, ε, 0, …) with ε = 2⁻²⁴. One chain rounds each
                // 1 + ε back to 1 (a tie, to even); the odd chain sums the ε's
                // exactly first, and 1 + 2ε or more survives.
                a = [Float](repeating: 1, count: s.rows * s.dim)
                let row = (0..<s.dim).map { k -> Float in k == 0 ? 1 : (k % 2 == 1 ? 0x1p-24 : 0) }
                b = Array((0..<s.cols).map { _ in row }.joined())
            } else {
                a = randomOperands(s.rows * s.dim, &rng)
                b = randomOperands(s.cols * s.dim, &rng)
            }
            let c = sgemmCells(a, rows: s.rows, b, cols: s.cols, dim: s.dim)
            for variant in 0..<2 {
                let bit = UInt8(1 << variant)
                guard possible.contains(where: { $0 & bit != 0 }) else { continue }
                segad_nn_tile(a, s.rows, b, s.cols, s.dim, Int32(variant), &v)
                for k in 0..<cells where possible[k] & bit != 0 && v[k].bitPattern != c[k].bitPattern {
                    possible[k] &= ~bit
                }
            }
            if possible.contains(0) || possible.contains(3) { return nil }
        }
        return possible.map { $0 == 1 ? 0 : 1 }
    }

    /// Random floats with full 24-bit significands, random signs and
    /// magnitudes over 2⁻⁸…2⁸: products round in many places, so two
    /// summation orders rarely give the same bits.
    static func randomOperands(_ n: Int, _ rng: inout SplitMix64) -> [Float] {
        (0..<n).map { _ in
            let r = rng.next()
            let exponent = UInt32(127 - 8) + UInt32((r >> 32) % 17)
            return Float(bitPattern: UInt32(r >> 63) << 31 | exponent << 23 | UInt32(r & 0x7F_FFFF))
        }
    }

    /// The brute force's sgemm call on one tile (one thread): cell (i, j) = −2·a_i·b_j.
    package static func sgemmCells(_ a: [Float], rows: Int, _ b: [Float], cols: Int, dim: Int) -> [Float] {
        var c = [Float](repeating: 0, count: rows * cols)
        BLASThreads.with(1) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(cols), Int32(dim),
                        -2, a, Int32(dim), b, Int32(dim), 0, &c, Int32(cols))
        }
        return c
    }

    /// The same cells recomputed one by one in the variants of `map` (as the pruned search does).
    package static func replayedCells(_ a: [Float], rows: Int, _ b: [Float], cols: Int, dim: Int, map: [UInt8]) -> [Float] {
        var c = [Float](repeating: 0, count: rows * cols)
        let idx = (0..<Int32(cols)).map { $0 }
        a.withUnsafeBufferPointer { ap in
            map.withUnsafeBufferPointer { mp in
                c.withUnsafeMutableBufferPointer { cp in
                    for i in 0..<rows {
                        segad_nn_dots(ap.baseAddress! + i * dim, b, dim, idx, mp.baseAddress! + i * cols, cols,
                                      cp.baseAddress! + i * cols)
                    }
                }
            }
        }
        return c
    }
}
