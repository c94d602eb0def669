import SegADNative

/// The detectors by kind, for the extract-maps stage.
public enum Detectors {
    /// The kinds `restore` accepts.
    public static let kinds = ["patchcore", "padim", "golden-template"]

    /// A fitted detector from its state. PatchCore and PaDiM load their
    /// backbone from the state's `backbone` and `weights` entries unless one
    /// is given (it must have the state's backbone name).
    public static func restore(_ state: DetectorState, backbone: Backbone? = nil) throws -> PixelDetector {
        switch state.kind {
        case "patchcore": return try backbone.map { try PatchCore(state: state, backbone: $0) } ?? PatchCore(state: state)
        case "padim": return try backbone.map { try PaDiM(state: state, backbone: $0) } ?? PaDiM(state: state)
        case "golden-template": return try GoldenTemplate(state: state)
        default: throw DetectorError.unknownKind(kind: state.kind, known: kinds)
        }
    }
}
