import Foundation
import SegADNative
import SegADDetectors
import SegADCore

extension DetectorStateArtifact {
    /// The detector, restored (backbone weights re-read from the recorded path).
    public func detector() throws -> PixelDetector {
        guard let kind = DetectorRegistry.kind(named: state.kind) else {
            throw StageInputError.unknownDetectorKind(reader.path, kind: state.kind)
        }
        return try kind.restore(state, backbone: nil)
    }
}
