import SegADNative

/// A fault of a VAD data set (`VADLayout`, `VADManifest`,
/// `VADSegmentation`): a root that is no VAD folder, a bad low-shot key
/// file, a drawn segmentation that is missing or has too many colors, a
/// synthetic defects list without rows. `file` is the folder or file at
/// fault; `description` is the stage's one line, `FILE: FAULT`.
public enum VADError: SegADFault, Equatable {
    // The folder
    case notAFolder(String)
    /// `missing`: the folders and files the layout lacks, as listed.
    case notVADFolder(String, missing: [String])
    /// `file`: ROOT/train/good.
    case tooFewTrainGood(String)

    // low_shot_train.json
    case lowShotNotJSON(String)
    case lowShotNotObject(String)
    case lowShotNotList(String, key: String)
    case lowShotUnknownName(String, key: String, name: String)
    case lowShotNameTwice(String, key: String)
    /// Fewer keys than the run's seeds reach (`index`: the seed's 1-based place).
    case lowShotTooFewKeys(String, keys: Int, seed: Int, index: Int)

    // Other inputs
    case segmentationMissing(String)
    case segmentationColors(String, colors: Int, segments: Int)
    case noSyntheticDefects(String)

    public var file: String {
        switch self {
        case .notAFolder(let f), .notVADFolder(let f, _), .tooFewTrainGood(let f), .lowShotNotJSON(let f),
             .lowShotNotObject(let f), .lowShotNotList(let f, _), .lowShotUnknownName(let f, _, _),
             .lowShotNameTwice(let f, _), .lowShotTooFewKeys(let f, _, _, _), .segmentationMissing(let f),
             .segmentationColors(let f, _, _), .noSyntheticDefects(let f):
            return f
        }
    }

    public var fault: String {
        switch self {
        case .notAFolder: return "VAD_ROOT is not a folder. " + VADLayout.howToGet
        case .notVADFolder(_, let missing):
            return "is not a VAD folder: missing \(missing.joined(separator: ", ")). " + VADLayout.howToGet
        case .tooFewTrainGood: return "needs at least 2 images to split"
        case .lowShotNotJSON: return "not valid JSON; expected {\"KEY\": [\"NAME.png\", …], …}"
        case .lowShotNotObject: return "expected a non-empty object mapping keys to lists of train/bad file names"
        case .lowShotNotList(_, let key): return "key '\(key)': expected a non-empty list of file names"
        case .lowShotUnknownName(_, let key, let name): return "key '\(key)': '\(name)' is not in train/bad"
        case .lowShotNameTwice(_, let key): return "key '\(key)': a name appears twice"
        case .lowShotTooFewKeys(_, let keys, let seed, let index):
            return "has \(keys) keys; seed \(seed) is number \(index) of the run's seeds"
        case .segmentationMissing: return "no such file (VAD_SEGMENTATION: a label PNG of the aligned part, docs/vad.md)"
        case .segmentationColors(_, let colors, let segments):
            return "has \(colors) distinct colors; VAD_SEGMENTS is \(segments) (one flat color per segment, no antialiasing)"
        case .noSyntheticDefects: return "lists no synthetic defects"
        }
    }
}
