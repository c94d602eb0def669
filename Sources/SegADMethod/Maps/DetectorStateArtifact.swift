import Foundation
import SegADNative
import SegADDetectors
import SegADKernels
import SegADCore

/// A fitted detector as an artifact: `segad_config` holds the detector's own
/// string configuration (`detector_config`), its name, kind and working size;
/// each state tensor is a float32 dataset under `tensors/`.
public final class DetectorStateArtifact {
    public let state: DetectorState
    public let name: String
    public let size: (height: Int, width: Int)
    public let reader: ArtifactReader
    /// The ids of the images the detector was fitted on (LeakageGuard).
    public let trainingIds: [String]
    /// How its images met the working size (config `resize`; absent: stretch).
    public let resize: ResizeMode

    public init(path: String) throws {
        reader = try ArtifactReader(path: path, expecting: .detectorState)
        guard let kind = reader.config["kind"] as? String, let name = reader.config["name"] as? String,
              let config = reader.config["detector_config"] as? [String: String],
              let size = reader.config["size"] as? [Int], size.count == 2,
              let tensorNames = reader.config["tensors"] as? [String] else {
            throw ArtifactError.incompleteDetectorState(path)
        }
        var tensors: [String: Tensor] = [:]
        for t in tensorNames {
            let (values, shape) = try reader.file.readFloats("tensors/\(t)")
            tensors[t] = Tensor(shape: shape, values: values)
        }
        guard reader.file.hasDataset(LeakageGuard.stateDataset) else {
            throw ArtifactError.noTrainingIds(path)
        }
        trainingIds = try reader.file.readStrings(LeakageGuard.stateDataset)
        let state = DetectorState(kind: kind, config: config, tensors: tensors)
        try StateBounds.check(state, name: name, size: (size[0], size[1]), file: path)
        if let r = reader.config["resize"] {
            guard let text = r as? String, let mode = ResizeMode(rawValue: text) else {
                throw ArtifactError.configValue(path, key: "resize", value: "\(r)",
                                                expected: ResizeMode.allCases.map(\.rawValue).joined(separator: ", "))
            }
            resize = mode
        } else {
            resize = .stretch
        }
        self.name = name
        self.size = (size[0], size[1])
        self.state = state
        if let weights = config["weights"] {
            try reader.requireInput(role: "weights", file: weights)
        }
    }

    public static func write(_ state: DetectorState, name: String, path: String, config: [String: Any],
                      inputs: [ArtifactInput], trainingIds: [String]) throws {
        var config = config
        config["kind"] = state.kind
        config["name"] = name
        config["detector_config"] = state.config
        let names = state.tensors.keys.sorted()
        config["tensors"] = names
        let writer = try ArtifactWriter(path: path, kind: .detectorState, stage: "extract-maps fit",
                                        config: config, inputs: inputs)
        for n in names {
            let t = state.tensors[n]!
            try writer.file.write("tensors/\(n)", floats: t.values, shape: t.shape)
        }
        try writer.file.write(LeakageGuard.stateDataset, strings: trainingIds)
        try writer.commit()
    }
}
