import Foundation
import SegADNative

/// Upper bounds on what a command line or a manifest may ask for, checked
/// before anything is allocated (docs/reliability.md, section 6, class 1).
/// Each bound is far above what SegAD needs and far below what would
/// exhaust the machine.
public enum Bounds {
    /// Largest side of a working size (`--size`): 8192 px, a 256 MiB float32 map.
    public static let maxSide = 8192
    /// Segments L, the one rule for every tool that takes `--segments`:
    /// L lies in `segments`, 1…702, as feature names use the letters a…z,
    /// then aa…zz (702 names). A tool that reads or writes its labels as a
    /// gray 8-bit PNG (derive-segmentation, vad-segmentation,
    /// synthesize-defects) takes L in `gray8Segments`, 1…256: such a PNG
    /// holds the labels 0…255. (derive-segmentation `--per-image` asks for
    /// something else: 2 or 3 foreground/background classes.)
    public static let maxSegments = 26 + 26 * 26
    public static let maxGray8Segments = 256
    public static let segments = 1...maxSegments
    public static let gray8Segments = 1...maxGray8Segments
    /// Why each range ends where it does: said beside the bound in every refusal.
    public static let segmentsWhy = "feature names run a…z, aa…zz"
    public static let gray8SegmentsWhy = "a gray 8-bit label PNG holds the labels 0…255"
    /// Boosting rounds and trees per round, and their product (trees in a model).
    public static let maxRounds = 10_000
    public static let maxParallelTrees = 10_000
    public static let maxTrees = 1_000_000
    /// XGBoost max_depth (hist grows 2^depth nodes per tree).
    public static let maxDepth = 20
    /// Worker threads.
    public static let maxThreads = 1024
    /// An item id's length in UTF-8 bytes: it becomes a file name (ID.png, ID_overlay.png).
    public static let maxIdBytes = 200
    /// The Gaussian blur's σ a detector state may record (every detector
    /// writes 4): the kernel has 2⌊4σ+½⌋+1 taps, so σ = 1e9 asked for 32 GB.
    public static let maxSigma: Float = 64
    /// Other decimals a state records (golden-template ε, PaDiM's
    /// regularization) lie in (0, maxStateDecimal] or [0, maxStateDecimal].
    public static let maxStateDecimal: Float = 1e6
    /// Backbone stages a state may name, and channel indices PaDiM may keep
    /// (the backbone itself bounds both again when the detector is restored).
    public static let maxStages = 16
    public static let maxChannels = 1 << 16
    /// Seeds are stored as UInt32 (XGBoost, k-means++).
    public static let maxSeed = Int(UInt32.max)
    /// What a model JSON may hold before XGBoost loads it: trees no deeper
    /// than `maxDepth`, at most `maxTrees` of them (docs/reliability.md,
    /// "One artifact gate").
    public static let xgboostModel = XGBModelLimits(maxDepth: maxDepth, maxTrees: maxTrees)

    /// Why `id` is not a valid item id, or nil: ids must be non-empty, hold
    /// no control character (NUL included: HDF5 strings end at NUL) and be
    /// at most `maxIdBytes` UTF-8 bytes.
    public static func idFault(_ id: String) -> String? { idProblem(id)?.text }

    /// `idFault` as a case.
    public static func idProblem(_ id: String) -> IdFault? {
        if id.isEmpty { return .empty }
        if let c = id.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
            return .controlCharacter(c.value)
        }
        if id.utf8.count > maxIdBytes { return .tooLong(bytes: id.utf8.count) }
        return nil
    }

    /// Checks every id (valid and unique); `source` names the file.
    public static func checkIds<S: Sequence>(_ ids: S, source: String) throws where S.Element == String {
        var seen = Set<String>()
        for id in ids {
            if let fault = idProblem(id) { throw BoundsError.invalidId(source, id: id, fault) }
            if !seen.insert(id).inserted { throw BoundsError.duplicateId(source, id: id) }
        }
    }

    /// A seed key of a manifest: a canonical non-negative integer ("7", not "07", "+7" or " 7").
    public static func canonicalSeed(_ key: String) -> Int? {
        guard let n = Int(key), n >= 0, n <= maxSeed, String(n) == key else { return nil }
        return n
    }
}
