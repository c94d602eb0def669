import SegADNative

/// A fault of a native detector (PatchCore, PaDiM, golden template): its
/// training images (none, too few, of another size), a fit that fails, or a
/// detector state that is of another kind or lacks or garbles a tensor or
/// configuration value. There is no file here: `file` is the detector
/// (`"padim"`), its state (`"padim state"`) or `"detector state"` when the
/// kind itself is at fault; the stage that read the state names the state
/// file where it has one (`StageInputError`, `PipelineError`).
/// `description` is the stage's one line, `FILE: FAULT`. Backbone weights
/// (`Backbone/`) still refuse with `InputError` naming the checkpoint.
public enum DetectorError: SegADFault, Equatable {
    // Fitting and applying (`file`: the kind)
    case noTrainingImages(kind: String)
    case tooFewTrainingImages(kind: String, minimum: Int)
    /// Training image `index` differs in size from the first.
    case imageSize(kind: String, index: Int, height: Int, width: Int, expectedHeight: Int, expectedWidth: Int)
    /// Image `index` differs in size from the fitted template.
    case templateSize(kind: String, index: Int, height: Int, width: Int, templateHeight: Int, templateWidth: Int)
    case featureGrid(kind: String, index: Int, height: Int, width: Int, fittedHeight: Int, fittedWidth: Int)
    case notPositiveDefinite(kind: String)

    // The state's kind (`file`: "detector state")
    case wrongKind(kind: String, expected: String)
    case unknownKind(kind: String, known: [String])

    // The state's contents (`file`: "KIND state")
    case tensorMissing(kind: String, name: String)
    case tensorShape(kind: String, name: String, expected: [Int], found: [Int])
    /// `expected` in words: `2 dimensions`, `shape [H, W, 448]`.
    case tensorLayout(kind: String, name: String, expected: String)
    case tensorChannels(kind: String, name: String, channels: Int, expected: Int)
    case backbone(kind: String, fitted: String, given: String)
    case configMissing(kind: String, key: String)
    case configValue(kind: String, key: String, value: String)

    public var file: String {
        switch self {
        case .noTrainingImages(let k), .tooFewTrainingImages(let k, _), .imageSize(let k, _, _, _, _, _),
             .templateSize(let k, _, _, _, _, _), .featureGrid(let k, _, _, _, _, _), .notPositiveDefinite(let k):
            return k
        case .wrongKind, .unknownKind:
            return "detector state"
        case .tensorMissing(let k, _), .tensorShape(let k, _, _, _), .tensorLayout(let k, _, _),
             .tensorChannels(let k, _, _, _), .backbone(let k, _, _), .configMissing(let k, _), .configValue(let k, _, _):
            return "\(k) state"
        }
    }

    public var fault: String {
        switch self {
        case .noTrainingImages: return "no training images"
        case .tooFewTrainingImages(_, let minimum): return "needs at least \(minimum) training images"
        case .imageSize(_, let i, let h, let w, let eh, let ew): return "image \(i) is \(h)×\(w), expected \(eh)×\(ew)"
        case .templateSize(_, let i, let h, let w, let th, let tw): return "image \(i) is \(h)×\(w), template is \(th)×\(tw)"
        case .featureGrid(_, let i, let h, let w, let fh, let fw): return "image \(i): feature grid \(h)×\(w), fitted on \(fh)×\(fw)"
        case .notPositiveDefinite: return "a covariance is not positive definite"
        case .wrongKind(let kind, let expected): return "kind \(kind), expected \(expected)"
        case .unknownKind(let kind, let known): return "unknown detector kind \(kind) (known: \(known.joined(separator: ", ")))"
        case .tensorMissing(_, let name): return "tensor \(name) missing"
        case .tensorShape(_, let name, let expected, let found): return "tensor \(name): expected shape \(expected), found \(found)"
        case .tensorLayout(_, let name, let expected): return "tensor \(name): expected \(expected)"
        case .tensorChannels(_, let name, let channels, let expected):
            return "tensor \(name): \(channels) channels, backbone stages give \(expected)"
        case .backbone(_, let fitted, let given): return "fitted with backbone \(fitted), given \(given)"
        case .configMissing(_, let key): return "config \(key) missing"
        case .configValue(_, let key, let value): return "config \(key): bad value \(value)"
        }
    }
}
