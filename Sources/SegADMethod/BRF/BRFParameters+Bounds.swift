import Foundation
import SegADCore

extension BRFParameters {
    /// Why these parameters would give a NaN, unbounded or meaningless model,
    /// or nil: non-finite or out-of-range values (docs/reliability.md, section 6, classes 1 and 5).
    public var fault: String? {
        if !(1...Bounds.maxRounds).contains(rounds) { return "rounds \(rounds) outside 1…\(Bounds.maxRounds)" }
        if !(1...Bounds.maxParallelTrees).contains(numParallelTree) {
            return "num_parallel_tree \(numParallelTree) outside 1…\(Bounds.maxParallelTrees)"
        }
        if rounds * numParallelTree > Bounds.maxTrees { return "\(rounds * numParallelTree) trees; at most \(Bounds.maxTrees)" }
        if !(1...Bounds.maxDepth).contains(maxDepth) { return "max_depth \(maxDepth) outside 1…\(Bounds.maxDepth)" }
        if !(eta > 0 && eta <= 1) { return "eta \(eta) outside (0, 1]" }
        for (name, v) in [("subsample", subsample), ("colsample_bytree", colsampleByTree), ("colsample_bynode", colsampleByNode)]
        where !(v > 0 && v <= 1) { return "\(name) \(v) outside (0, 1]" }
        if !(alpha >= 0 && alpha <= 1e6) { return "alpha \(alpha) outside 0…1e6" }
        if let w = scalePosWeight, !(w > 0 && w <= 1e6) { return "scale_pos_weight \(w) outside (0, 1e6]" }
        if !(1...Bounds.maxThreads).contains(threads) { return "nthread \(threads) outside 1…\(Bounds.maxThreads)" }
        return nil
    }
}
