/// A model JSON refused before XGBoost sees it, or one XGBoost cannot load
/// (docs/reliability.md, "One artifact gate"). libxgboost trusts a model's
/// indices: a split or child index out of range reads outside its arrays
/// (a crash), a node that is its own descendant makes scoring loop forever.
/// `file` is the model's source (an artifact path, or "model JSON").
public enum XGBModelError: SegADFault, Equatable {
    case notJSON(String)
    /// A key given twice in one object (which value counts depends on the parser).
    case repeatedKey(String, key: String)
    /// A required key is missing or has the wrong type; `key` is its path.
    case missing(String, key: String)
    /// Valid XGBoost, but not what SegAD trains or scores (e.g. `dart`, several classes).
    case unsupported(String, what: String)
    case treeCount(String, declared: Int, found: Int, infos: Int)
    case tooManyTrees(String, trees: Int, limit: Int)
    case tooManyFeatures(String, features: Int, limit: Int)
    /// Tree `tree` is not a tree SegAD's XGBoost can walk safely; `fault` says why.
    case tree(String, tree: Int, fault: String)
    /// XGBoost refused the model; `message` is its reason without source locations.
    case unloadable(String, message: String)

    public var file: String {
        switch self {
        case .notJSON(let f), .repeatedKey(let f, _), .missing(let f, _), .unsupported(let f, _), .treeCount(let f, _, _, _),
             .tooManyTrees(let f, _, _), .tooManyFeatures(let f, _, _), .tree(let f, _, _), .unloadable(let f, _):
            return f
        }
    }

    public var fault: String {
        switch self {
        case .notJSON: return "the model is not a JSON object (XGBoost's JSON model format)"
        case .repeatedKey(_, let key): return "the model gives key \(key) twice in one object"
        case .missing(_, let key): return "the model lacks \(key) (or it has the wrong type)"
        case .unsupported(_, let what): return "the model is \(what); SegAD scores single-output gbtree models"
        case .treeCount(_, let declared, let found, let infos):
            return "the model declares \(declared) trees but holds \(found) (and \(infos) tree_info entries)"
        case .tooManyTrees(_, let trees, let limit): return "the model has \(trees) trees, more than \(limit)"
        case .tooManyFeatures(_, let features, let limit): return "the model declares \(features) features, more than \(limit)"
        case .tree(_, let tree, let fault): return "tree \(tree) of the model: \(fault)"
        case .unloadable(_, let message): return "XGBoost cannot load the model: \(message)"
        }
    }
}
