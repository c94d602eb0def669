import Foundation
import SegADNative
import SegADKernels
import SegADCore

/// The VAD protocol (docs/design.md, "Splits"; docs/vad.md) as manifests, one per seed (detectors are
/// refitted per seed, so each seed has its own maps; every manifest has
/// class "vad" so `evaluate report` merges the seeds into one row).
///
/// Per seed S (numpy-compatible, so Python can reproduce it):
/// - train/good, sorted by name, is permuted by `RandomState(S).permutation`;
///   the first ⌊n/2⌋ of the permutation are `detector-train`, the rest
///   (in permutation order) open `segad-train`;
/// - `segad-train` then adds, by mode: every train/bad image (high-shot),
///   the names of low_shot_train.json under the seed's key (low-shot; see
///   `VADLayout.lowShotKey`), or the seed's synthetic defects (one-class);
/// - `classifier-train` (high- and low-shot): 80% of train/good and 80% of
///   the mode's bad training images, each chosen as sklearn's
///   `train_test_split(…, train_size=0.8, random_state=S)`;
/// - `test`: test/good, test/bad, test/bad_unseen_defects (tagged `unseen`).
///
/// Mode `detectors` writes only the `detector-train` items: the manifest a
/// seed's detectors are fitted from, shared by the three benchmarks.
public enum VADManifest {
    public enum Mode: String, CaseIterable, Sendable {
        case detectors, highshot, lowshot, oneclass
    }

    public static let defaultSeeds = [0, 1, 2, 3, 4]

    public struct Options {
        public var root: String
        public var mode: Mode
        public var seed: Int
        /// All seeds of the run (the low-shot key of a seed may depend on its position).
        public var seeds: [Int]
        /// One-class: the CSV `synthesize-defects` wrote (id,image,source).
        public var synthetic: String?
        public var classifierShare = 0.8
        public var output: String
        public init(root: String, mode: Mode, seed: Int, seeds: [Int], synthetic: String? = nil, output: String) {
            self.root = root; self.mode = mode; self.seed = seed; self.seeds = seeds
            self.synthetic = synthetic; self.output = output
        }
    }

    /// The seed's split of train/good: detector training and SegAD training names.
    public static func goodSplit(_ layout: VADLayout, seed: Int) -> (detector: [String], segad: [String]) {
        var rng = RandomState(seed: UInt32(truncatingIfNeeded: seed))
        let p = rng.permutation(layout.trainGood.count)
        let half = layout.trainGood.count / 2
        return (p[..<half].map { layout.trainGood[$0] }, p[half...].map { layout.trainGood[$0] })
    }

    public static func build(_ o: Options) throws {
        let layout = try VADLayout(root: o.root, needLowShot: o.mode == .lowshot)
        let (detector, segadGood) = goodSplit(layout, seed: o.seed)
        func item(_ folder: String, _ name: String, _ label: Label, tags: [String] = []) -> ManifestItem {
            ManifestItem(id: "\(folder)/\(name)", label: label, image: "\(layout.root)/\(folder)/\(name)", tags: tags)
        }
        var items: [ManifestItem] = []
        var roles: [Manifest.Role: [String]] = [.detectorTrain: detector.map { "train/good/\($0)" }]
        if o.mode == .detectors {
            items = detector.map { item("train/good", $0, .good) }
        } else {
            items = layout.trainGood.map { item("train/good", $0, .good) }
            var bad: [String] = []
            switch o.mode {
            case .highshot: bad = layout.trainBad
            case .lowshot:
                let keys = Array(layout.lowShot!.keys)
                guard let key = VADLayout.lowShotKey(seed: o.seed, seeds: o.seeds, keys: keys) else {
                    throw VADError.lowShotTooFewKeys(layout.root + "/" + VADLayout.lowShotFile, keys: keys.count, seed: o.seed,
                                                      index: (o.seeds.firstIndex(of: o.seed) ?? 0) + 1)
                }
                bad = layout.lowShot![key]!
            default: break
            }
            items += bad.map { item("train/bad", $0, .bad) }
            var segad = segadGood.map { "train/good/\($0)" } + bad.map { "train/bad/\($0)" }
            if o.mode == .oneclass {
                guard let csv = o.synthetic else { throw InputError("--synthetic", "one-class needs the synthetic defects list") }
                let rows = try readSynthetic(csv)
                items += rows.map { ManifestItem(id: $0.id, label: .bad, image: $0.image, tags: ["synthetic"]) }
                segad += rows.map(\.id)
            } else {
                let good = split(layout.trainGood, share: o.classifierShare, seed: o.seed)
                let badPart = split(bad, share: o.classifierShare, seed: o.seed)
                roles[.classifierTrain] = good.map { "train/good/\($0)" } + badPart.map { "train/bad/\($0)" }
            }
            roles[.segadTrain] = segad
            let test = layout.testGood.map { item("test/good", $0, .good) }
                + layout.testBad.map { item("test/bad", $0, .bad) }
                + layout.testUnseen.map { item("test/bad_unseen_defects", $0, .bad, tags: ["unseen"]) }
            items += test
            roles[.test] = test.map(\.id)
        }
        let name = "vad-\(o.mode.rawValue)-seed-\(o.seed)"
        let manifest = Manifest(name: name, className: "vad", items: items, seeds: [o.seed: roles],
                                root: "/", path: o.output)
        try AtomicFile.write(try manifest.jsonData(), to: o.output)
    }

    /// sklearn `train_test_split(names, train_size=share, random_state=seed)`'s training part.
    static func split(_ names: [String], share: Double, seed: Int) -> [String] {
        guard names.count >= 2 else { return names }
        let train = min(names.count - 1, max(1, Int((share * Double(names.count)).rounded(.down))))
        return TrainTestSplit.split(count: names.count, trainCount: train, seed: UInt32(truncatingIfNeeded: seed))
            .train.map { names[$0] }
    }

    struct SyntheticRow { var id: String; var image: String }

    static func readSynthetic(_ path: String) throws -> [SyntheticRow] {
        let table = try CSVTable(path: path)
        let id = try table.column("id"), image = try table.column("image")
        guard !table.rows.isEmpty else { throw VADError.noSyntheticDefects(path) }
        return table.rows.map { SyntheticRow(id: CSV.untext($0[id]), image: CSV.untext($0[image])) }  // list.csv cells are CSV.text
    }
}
