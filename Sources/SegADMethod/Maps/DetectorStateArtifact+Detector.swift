import Foundation
import SegADNative
import SegADDetectors
import SegADCore

extension DetectorStateArtifact {
    /// The detector, restored (backbone weights re-read from the recorded path).
    public func detector() throws -> PixelDetector {
        switch state.kind {
        case NativeDetectors.Kind.patchcore.rawValue: return try PatchCore(state: state)
        case NativeDetectors.Kind.padim.rawValue: return try PaDiM(state: state)
        case NativeDetectors.Kind.goldenTemplate.rawValue: return try GoldenTemplate(state: state)
        default: throw StageInputError.unknownDetectorKind(reader.path, kind: state.kind)
        }
    }
}
