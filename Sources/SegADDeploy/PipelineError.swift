import SegADNative

/// A fault of a saved pipeline (`save-pipeline`, `score-new`): inputs that
/// cannot make one (a model of another seed, per-item segmentation, a
/// detector state the maps were not made with, …), a pipeline artifact that
/// lacks or garbles what it must hold, a detector that cannot be restored,
/// a model whose recorded parameters are unusable, or new images that are
/// not there. `file` is the input at fault (`"pipeline"` for a detector of
/// a loaded pipeline); `description` is the stage's one line, `FILE: FAULT`.
/// The artifact reader's own faults pass through as `ArtifactError` or
/// `HDF5FileError`; option values stay `InputError(option, …)`.
public enum PipelineError: SegADFault, Equatable {
    // Saving: the inputs
    case modelOfOtherSeed(String, seed: Int, expected: Int)
    case perItemSegmentation(String)
    case classifierScore(String)
    case noDetectorsOrSegments(String)
    /// The features (`file`) hold maps of `detector` from no native detector.
    case notNativeDetector(String, detector: String)
    /// A detector state (`file`) other than the one the maps were made with
    /// (full SHA-256s; the message shows their first 12 digits).
    case otherState(String, detector: String, recorded: String, given: String)
    case extraState(String, detector: String, detectors: [String])
    case stateSizeDiffers(String, height: Int, width: Int, first: String, firstHeight: Int, firstWidth: Int)
    case layoutDiffers(String, segments: Int, detectors: [String])
    case tooFewRowsForFolds(String, seed: Int, good: Int, bad: Int, folds: Int)
    case noTrainingParameters(String)
    /// A maps artifact (`file`) the features record is gone.
    case mapsArtifactNeeded(String, features: String)

    // Loading a pipeline artifact
    /// Not readable as an artifact; `detail` is the underlying error's text.
    case unreadable(String, detail: String)
    case lacksConfiguration(String)
    case badDetectorEntry(String)
    case lacksBackbone(String, detector: String)
    case segmentationShape(String, shape: [Int], height: Int, width: Int)
    case segmentationLabels(String, segments: Int)
    case segmentNames(String, segments: Int)
    case noModel(String)
    case strayFeature(String, feature: String)
    /// A dataset that cannot be read; `detail` is the underlying error's text.
    case corrupt(String, detail: String)

    // Restoring its detectors
    case noEmbeddedBackbone(String, detector: String)
    case unsupportedBackbone(String, detector: String, backbone: String)
    case unknownDetectorKind(String, kind: String)
    /// A restoring fault, renamed to the pipeline file; `fault` is its text.
    case cannotRestore(String, fault: String)

    // A model's recorded training (the operating point's refits)
    case modelParameter(String, key: String)
    case treeCount(String, treesPerRound: Int)

    // New images (score-new)
    case noSuchFolder(String)
    case noImages(String)
    case noItemNamesImage(String)

    public var file: String {
        switch self {
        case .modelOfOtherSeed(let f, _, _), .perItemSegmentation(let f), .classifierScore(let f),
             .noDetectorsOrSegments(let f), .notNativeDetector(let f, _), .otherState(let f, _, _, _),
             .extraState(let f, _, _), .stateSizeDiffers(let f, _, _, _, _, _), .layoutDiffers(let f, _, _),
             .tooFewRowsForFolds(let f, _, _, _, _), .noTrainingParameters(let f), .mapsArtifactNeeded(let f, _),
             .unreadable(let f, _), .lacksConfiguration(let f), .badDetectorEntry(let f), .lacksBackbone(let f, _),
             .segmentationShape(let f, _, _, _), .segmentationLabels(let f, _), .segmentNames(let f, _),
             .noModel(let f), .strayFeature(let f, _), .corrupt(let f, _), .noEmbeddedBackbone(let f, _),
             .unsupportedBackbone(let f, _, _), .unknownDetectorKind(let f, _), .cannotRestore(let f, _),
             .modelParameter(let f, _), .treeCount(let f, _), .noSuchFolder(let f), .noImages(let f),
             .noItemNamesImage(let f):
            return f
        }
    }

    public var fault: String {
        switch self {
        case .modelOfOtherSeed(_, let seed, let expected): return "is the model of seed \(seed), not \(expected)"
        case .perItemSegmentation: return "was made with per-item segmentation; a saved pipeline needs one static label map"
        case .classifierScore: return "includes a classifier score, which a saved pipeline cannot compute"
        case .noDetectorsOrSegments: return "records no detectors or segments"
        case .notNativeDetector(_, let name):
            return "maps of '\(name)' were not made by a native detector (extract-maps fit/apply); a pipeline can only embed native detectors"
        case .otherState(_, let name, let recorded, let given):
            return "is not the state the maps of '\(name)' were made with (recorded sha256 \(recorded.prefix(12))…, given \(given.prefix(12))…)"
        case .extraState(_, let name, let detectors):
            return "detector '\(name)' is not among the features' detectors (\(detectors.joined(separator: ", ")))"
        case .stateSizeDiffers(_, let h, let w, let first, let fh, let fw): return "works at \(h)×\(w); '\(first)' at \(fh)×\(fw)"
        case .layoutDiffers(_, let segments, let detectors):
            return "feature names differ from the layout of \(segments) segments × \(detectors.joined(separator: ", "))"
        case .tooFewRowsForFolds(_, let seed, let good, let bad, let folds):
            return "seed \(seed): 'segad-train' has \(good) good and \(bad) bad rows; \(folds)-fold needs at least \(folds) of each (lower --folds)"
        case .noTrainingParameters: return "records no training parameters"
        case .mapsArtifactNeeded(_, let features):
            return "maps artifact of \(features) is needed to check which detector state made it"
        case .unreadable(_, let detail): return "not a readable SegAD pipeline (\(detail))"
        case .lacksConfiguration:
            return "pipeline artifact lacks its configuration (detectors, segments, channels, operating_point, …)"
        case .badDetectorEntry:
            return "pipeline artifact has a detector entry without name, kind, size, detector_config, tensors or heat range"
        case .lacksBackbone(_, let name): return "pipeline artifact lacks the backbone weights of detector '\(name)'"
        case .segmentationShape(_, let shape, let h, let w):
            return "pipeline artifact segmentation has shape \(shape); the detectors work at \(h)×\(w)"
        case .segmentationLabels(_, let segments): return "pipeline artifact segmentation has labels outside 0…\(segments - 1)"
        case .segmentNames(_, let segments): return "pipeline artifact segment_names is not a list of \(segments) names"
        case .noModel: return "pipeline artifact holds no model"
        case .strayFeature(_, let feature):
            return "pipeline artifact model uses feature '\(feature)', which the pipeline's detectors and segments do not give"
        case .corrupt(_, let detail): return "corrupt pipeline artifact (\(detail))"
        case .noEmbeddedBackbone(_, let name): return "detector '\(name)' has no embedded backbone"
        case .unsupportedBackbone(_, let name, let backbone): return "detector '\(name)': backbone '\(backbone)' is not supported"
        case .unknownDetectorKind(_, let kind): return "unknown detector kind '\(kind)'"
        case .cannotRestore(_, let fault): return fault
        case .modelParameter(_, let key): return "model records no usable '\(key)' parameter"
        case .treeCount(_, let n): return "model JSON gives no tree count divisible by num_parallel_tree \(n)"
        case .noSuchFolder: return "no such folder"
        case .noImages: return "holds no images (.png, .jpg/.jpeg, .tif/.tiff)"
        case .noItemNamesImage: return "no item names an image"
        }
    }
}
