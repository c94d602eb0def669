import Foundation
import SegADNative
import SegADDetectors
import SegADCore

/// Bounds on every value of a detector state that configures computation,
/// checked where a state is read from an artifact (a detector state or a
/// saved pipeline) and before it reaches SegADDetectors, which is built
/// `-Ounchecked` and indexes with these values unchecked
/// (docs/reliability.md, "One artifact gate"). The bounds are `Bounds`',
/// the CLI's own table: a working size of 1…8192 a side, σ in (0, 64], ε and
/// the regularization finite, stage and channel indices whole numbers in
/// range and distinct, every tensor of the shape its kind needs and finite.
public enum StateBounds {
    /// Refuses `state` (detector `name`, fitted at `size`, read from `file`)
    /// with one `ArtifactError.configValue` naming the value.
    public static func check(_ state: DetectorState, name: String, size: (height: Int, width: Int),
                             file: String) throws {
        func refuse(_ key: String, _ value: String, _ expected: String) -> ArtifactError {
            .configValue(file, key: "detector '\(name)' \(key)", value: value, expected: expected)
        }
        let sides = 1...Bounds.maxSide
        guard sides.contains(size.height), sides.contains(size.width) else {
            throw refuse("size", "\(size.height)x\(size.width)", "sides 1…\(Bounds.maxSide)")
        }
        /// A recorded decimal, when present (the detector refuses a missing one itself).
        func decimal(_ key: String, _ expected: String, _ ok: (Float) -> Bool) throws {
            guard let text = state.config[key] else { return }
            guard let v = Float(text), v.isFinite, ok(v) else { throw refuse(key, text, expected) }
        }
        func whole(_ key: String, _ range: ClosedRange<Int>) throws {
            guard let text = state.config[key] else { return }
            guard let v = Int(text), range.contains(v) else {
                throw refuse(key, text, "a whole number in \(range.lowerBound)…\(range.upperBound)")
            }
        }
        func finite(_ tensor: String, shape: [Int]? = nil, rank: Int? = nil) throws {
            guard let t = state.tensors[tensor] else { return }
            if let shape, t.shape != shape { throw refuse("tensor \(tensor)", "of shape \(t.shape)", "shape \(shape)") }
            if let rank, t.shape.count != rank {
                throw refuse("tensor \(tensor)", "of shape \(t.shape)", "\(rank) dimensions")
            }
            if let i = firstNonFinite(t.values) {
                throw refuse("tensor \(tensor)", "\(t.values[i]) at element \(i)", "finite values")
            }
        }
        try decimal("sigma", "a number in (0, \(Int(Bounds.maxSigma))]") { $0 > 0 && $0 <= Bounds.maxSigma }
        try whole("image_height", sides)
        try whole("image_width", sides)
        if let text = state.config["stages"] {
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
            let stages = parts.compactMap { $0 }
            guard !parts.isEmpty, stages.count == parts.count, stages.allSatisfy({ (0..<Bounds.maxStages).contains($0) }),
                  Set(stages).count == stages.count else {
                throw refuse("stages", text, "distinct stage indices in 0…\(Bounds.maxStages - 1)")
            }
        }
        // The kind's own values, as its registry entry declares them; an
        // unknown kind is refused when the detector is restored.
        for bound in DetectorRegistry.kind(named: state.kind)?.stateBounds ?? [] {
            switch bound {
            case .decimal(let key, let positive):
                try decimal(key, "a number in \(positive ? "(" : "[")0, \(Int(Bounds.maxStateDecimal))]") {
                    (positive ? $0 > 0 : $0 >= 0) && $0 <= Bounds.maxStateDecimal
                }
            case .channelCount(let key):
                try whole(key, 1...Bounds.maxChannels)
            case .channelIndices(let name):
                guard let channels = state.tensors[name] else { break }
                guard channels.shape.count == 1, !channels.values.isEmpty else {
                    throw refuse("tensor \(name)", "of shape \(channels.shape)", "one dimension, not empty")
                }
                if let bad = channels.values.first(where: { v in
                    !(v >= 0 && v < Float(Bounds.maxChannels) && v == v.rounded())
                }) {
                    throw refuse("tensor \(name)", "holding \(bad)", "whole channel indices in 0…\(Bounds.maxChannels - 1)")
                }
                guard Set(channels.values).count == channels.values.count else {
                    throw refuse("tensor \(name)", "holding a channel twice", "distinct channel indices")
                }
            case .imageTensor(let name):
                try finite(name, shape: [size.height, size.width])
            case .finiteTensor(let name, let rank):
                try finite(name, rank: rank)
            case .nonNegativeTensor(let name):
                if let t = state.tensors[name], let i = t.values.firstIndex(where: { $0 < 0 }) {
                    throw refuse("tensor \(name)", "\(t.values[i]) at element \(i)", "values ≥ 0")
                }
            }
        }
    }

    /// The index of the first NaN or infinity in `values`, by a scan the
    /// compiler vectorizes (blocks of 4096 tested by exponent bits; the block
    /// that holds one searched again): a pipeline's tensors are checked at
    /// every load (docs/patchcore.md, "Pipeline load").
    static func firstNonFinite(_ values: [Float]) -> Int? {
        values.withUnsafeBufferPointer { b in
            var start = 0
            while start < b.count {
                let end = min(start + 4096, b.count)
                var found: UInt32 = 0
                for j in start..<end { found |= (b[j].bitPattern & 0x7f80_0000) == 0x7f80_0000 ? 1 : 0 }
                if found != 0 { return (start..<end).first { !b[$0].isFinite } }
                start = end
            }
            return nil
        }
    }
}
