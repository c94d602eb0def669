import SegADNative

/// The inputs of a SegADMethod stage (extract-maps fit/apply, segment-stats,
/// train-brf, evaluate score, the derived segmentation) that do not fit
/// together: maps of other items or sizes, a detector given twice, a seed
/// without the rows the stage needs, an item without the image or
/// segmentation it needs. `file` is the input at fault (a manifest, an
/// artifact, an image); `description` is the stage's one line, `FILE: FAULT`.
/// Faults of one file on its own are the file's domain (`ManifestError`,
/// `ArtifactError`, `MapError`, `ScoreFileError`, …).
public enum StageInputError: SegADFault, Equatable {
    // Maps artifacts given together
    case otherItems(String, first: String)
    case mapsSizeDiffers(String, height: Int, width: Int, first: String, firstHeight: Int, firstWidth: Int)
    case detectorGivenTwice(String, detector: String)
    /// A maps artifact (`file`) without a test id of `seed`.
    case noMapForTestId(String, id: String, seed: Int)
    /// A maps artifact (`file`) without maps of the seed's detector pool.
    case noPoolMaps(String, seed: Int)

    // The manifest against what the stage needs
    case noItemOfMaps(String, id: String)
    case noSegmentation(String, id: String)
    case noImageToSegment(String, id: String)
    case noItemsToApply(String)
    /// No item has an image to choose the working size from.
    case noImageForWorkingSize(String)
    /// `seeds`: the manifest's seeds.
    case noSeed(String, seed: Int, seeds: [Int])
    case noTestRows(String, seed: Int)
    case trainingNeedsBothClasses(String, seed: Int, good: Int, bad: Int)

    // Features, models, detector states
    case noFeatureMatches(String, globs: [String])
    case secondModel(String, seed: Int)
    /// The trained model (`file`, the output) scores a training row NaN or ±inf.
    case nonFiniteTrainingScore(String, id: String, score: Double)
    case unknownDetectorKind(String, kind: String)

    // Images
    /// The image's aspect would give a working size over `maxSide` a side.
    case workingSizeTooLarge(String, height: Int, width: Int, sizeHeight: Int, sizeWidth: Int, maxSide: Int)

    // Outputs
    case cannotCreateLabelFolder(String, reason: String)

    public var file: String {
        switch self {
        case .otherItems(let f, _), .mapsSizeDiffers(let f, _, _, _, _, _), .detectorGivenTwice(let f, _),
             .noMapForTestId(let f, _, _), .noPoolMaps(let f, _), .noItemOfMaps(let f, _), .noSegmentation(let f, _),
             .noImageToSegment(let f, _), .noItemsToApply(let f), .noImageForWorkingSize(let f), .noSeed(let f, _, _),
             .noTestRows(let f, _), .trainingNeedsBothClasses(let f, _, _, _), .noFeatureMatches(let f, _),
             .secondModel(let f, _), .nonFiniteTrainingScore(let f, _, _), .unknownDetectorKind(let f, _),
             .workingSizeTooLarge(let f, _, _, _, _, _), .cannotCreateLabelFolder(let f, _):
            return f
        }
    }

    public var fault: String {
        switch self {
        case .otherItems(_, let first): return "holds other items than \(first)"
        case .mapsSizeDiffers(_, let h, let w, let first, let fh, let fw): return "maps are \(h)×\(w); \(first) has \(fh)×\(fw)"
        case .detectorGivenTwice(_, let detector): return "detector '\(detector)' given twice"
        case .noMapForTestId(_, let id, let seed): return "has no map for id '\(id)' (test of seed \(seed))"
        case .noPoolMaps(_, let seed):
            return "has no maps of seed \(seed)'s detector-train images; apply the detector without --skip-detector-train to map the pool"
        case .noItemOfMaps(_, let id): return "has no item '\(id)' of the maps"
        case .noSegmentation(_, let id): return "item '\(id)' has no segmentation"
        case .noImageToSegment(_, let id): return "item '\(id)' has no image to segment"
        case .noItemsToApply: return "no items to apply the detector to"
        case .noImageForWorkingSize: return "has no item with an image to take the working size from; give --size HxW"
        case .noSeed(_, let seed, let seeds):
            return "has no seed \(seed) (seeds: \(seeds.map(String.init).joined(separator: ", ")))"
        case .noTestRows(_, let seed): return "seed \(seed) has no 'test' rows"
        case .trainingNeedsBothClasses(_, let seed, let good, let bad):
            return "seed \(seed): 'segad-train' has \(good) good and \(bad) bad rows; both are needed"
        case .noFeatureMatches(_, let globs): return "no feature matches \(globs.joined(separator: " "))"
        case .secondModel(_, let seed): return "a second model for seed \(seed)"
        case .nonFiniteTrainingScore(_, let id, let score):
            return "refusing to write the model: it scores training row '\(id)' \(score); check the XGBoost parameters"
        case .unknownDetectorKind(_, let kind): return "unknown detector kind '\(kind)'"
        case .workingSizeTooLarge(_, let h, let w, let sh, let sw, let maxSide):
            return "is \(h)x\(w); its aspect would give a working size of \(sh)x\(sw) (over \(maxSide) px a side); give --size HxW"
        case .cannotCreateLabelFolder(_, let reason): return "cannot create label folder (\(reason))"
        }
    }
}
