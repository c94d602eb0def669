import SegADNative

/// A fault of the supervised classifier g(I) (`build-dataset classifier-fit`
/// and `classifier-score`, `ClassifierCrossFit`): a split without both
/// classes, training rows that are test rows, a state file that is not a
/// classifier state or lacks its fold models. `file` is the manifest or the
/// state at fault; `description` is the stage's one line, `FILE: FAULT`.
public enum ClassifierError: SegADFault, Equatable {
    // The manifest's split
    /// `what`: the rows, e.g. `'classifier-train'`.
    case needsBothClasses(String, what: String)
    case seedNeedsBothClasses(String, seed: Int)
    case trainingRowIsTestRow(String, id: String, seed: Int)

    // The classifier state
    case notAClassifierState(String)
    case noFoldModels(String)
    case datasetShape(String, dataset: String)
    case foldsMismatch(String)
    case trainedOnTestRow(String, id: String, seed: Int, manifest: String)
    case trainedWithoutOutOfFold(String, id: String, seed: Int, manifest: String)

    public var file: String {
        switch self {
        case .needsBothClasses(let f, _), .seedNeedsBothClasses(let f, _), .trainingRowIsTestRow(let f, _, _),
             .notAClassifierState(let f), .noFoldModels(let f), .datasetShape(let f, _), .foldsMismatch(let f),
             .trainedOnTestRow(let f, _, _, _), .trainedWithoutOutOfFold(let f, _, _, _):
            return f
        }
    }

    public var fault: String {
        switch self {
        case .needsBothClasses(_, let what): return "\(what) needs good and bad rows"
        case .seedNeedsBothClasses(_, let seed): return "seed \(seed): 'classifier-train' needs good and bad rows"
        case .trainingRowIsTestRow(_, let id, let seed): return "'\(id)' is a classifier training row and a test row of seed \(seed)"
        case .notAClassifierState: return "is not a classifier state from `build-dataset classifier-fit`"
        case .noFoldModels: return "has no cross-fitted fold models (made by an older classifier-fit); refit it"
        case .datasetShape(_, let dataset): return "dataset '\(dataset)' has the wrong shape"
        case .foldsMismatch: return "datasets 'fold_ids' and 'fold_of' do not match"
        case .trainedOnTestRow(_, let id, let seed, let manifest):
            return "was trained on '\(id)', a test row of seed \(seed) of \(manifest)"
        case .trainedWithoutOutOfFold(_, let id, let seed, let manifest):
            return "was trained on '\(id)', a 'segad-train' row of seed \(seed) of \(manifest), and has no out-of-fold model for it"
        }
    }
}
