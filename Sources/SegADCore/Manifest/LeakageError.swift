import SegADNative

/// A refusal of `LeakageGuard`: something learned (a detector, a derived
/// segmentation) saw a test image of some seed, or a seed's training split
/// shares an id with its test split. `description` is the stage's one line,
/// `FILE: FAULT`.
public enum LeakageError: SegADFault, Equatable {
    /// `file` carries the training ids; `trainedCount` of them, of which `id`
    /// is a test id of `seed` in `manifest`; `what` says what trained on them.
    case testIdTrainedOn(String, seed: Int, id: String, trainedCount: Int, what: String, manifest: String)
    /// `file` is the manifest; `role` is `segad-train` or `classifier-train`.
    case idInTrainAndTest(String, seed: Int, id: String, role: String)
    /// `file` is a derived segmentation's sidecar whose recorded label-PNG
    /// hash is not that of `png` (the PNG was replaced or edited).
    case sidecarDescribesAnotherPNG(String, png: String)

    public var file: String {
        switch self {
        case .testIdTrainedOn(let f, _, _, _, _, _), .idInTrainAndTest(let f, _, _, _),
             .sidecarDescribesAnotherPNG(let f, _): return f
        }
    }

    public var fault: String {
        switch self {
        case .testIdTrainedOn(_, let seed, let id, let count, let what, let manifest):
            return "seed \(seed): test id '\(id)' is among the \(count) images \(what) (\(manifest)); fit on one fixed pool that is never tested in any seed, e.g. as `build-dataset images-manifest` splits"
        case .idInTrainAndTest(_, let seed, let id, let role):
            return "seed \(seed): id '\(id)' is both in '\(role)' and in 'test'"
        case .sidecarDescribesAnotherPNG(_, let png):
            return "records another label PNG than \(png) (SHA-256 differs): the images that shaped it cannot be checked; re-derive it, or remove or rename this sidecar if \(png) is drawn by hand"
        }
    }
}
