import Foundation
import SegADKernels
import SegADNative
@testable import SegADDetectors

/// What the detector tests fit on: the tiny ResNet-18-layout checkpoint (a
/// fast backbone), seeded random 64×64 gray images, and PatchCore (25%
/// coreset) and PaDiM (10 channels) with the backbone's default stages.
enum TinyDetectors {
    static var path: String { get throws { try Golden.checkpointFixture("tiny_resnet18") } }

    static func backbone() throws -> Backbone { try Backbones.load(name: "resnet18", path: path) }

    static func images(_ n: Int, seed: UInt64) -> [DetectorImage] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { _ in
            DetectorImage(channels: 1, height: 64, width: 64,
                          values: (0..<(64 * 64)).map { _ in Float(rng.next() >> 40) / Float(1 << 24) })
        }
    }

    static func patchCore(_ train: [DetectorImage], backbone net: Backbone) throws -> PatchCore {
        var config = PatchCore.Config()
        config.stages = Backbones.patchCoreStages(net)
        config.coresetRatio = 0.25
        return try PatchCore.fit(train, backbone: net, weightsPath: path, config: config)
    }

    static func padim(_ train: [DetectorImage], backbone net: Backbone) throws -> PaDiM {
        var config = PaDiM.Config()
        config.stages = Backbones.padimStages(net)
        config.features = 10
        return try PaDiM.fit(train, backbone: net, weightsPath: path, config: config)
    }
}
