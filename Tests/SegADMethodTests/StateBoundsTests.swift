import XCTest
import SegADNative
import SegADDetectors
import SegADCore
import SegADMethod

/// Values of a detector state that configure computation are bounded before
/// they reach SegADDetectors (built -Ounchecked; docs/reliability.md, "One
/// artifact gate"). The stages read these states; here the checks are called
/// directly on states built in memory.
final class StateBoundsTests: XCTestCase {
    private func padim(channels: [Float], stages: String = "2,3") -> DetectorState {
        let d = channels.count
        return DetectorState(kind: "padim", config: ["stages": stages, "sigma": "4", "regularization": "0.01", "seed": "0",
                                                     "features": "\(d)", "image_height": "16", "image_width": "16"],
                             tensors: ["channels": Tensor(shape: [d], values: channels),
                                       "mean": Tensor(shape: [2, 2, d], values: [Float](repeating: 0, count: 4 * d)),
                                       "cholesky": Tensor(shape: [4, d, d], values: [Float](repeating: 1, count: 4 * d * d))])
    }

    private func assertRefused(_ state: DetectorState, _ key: String, line: UInt = #line) {
        XCTAssertThrowsError(try StateBounds.check(state, name: "p", size: (16, 16), file: "s.h5"), line: line) { error in
            guard case .configValue(let file, let k, _, _)? = error as? ArtifactError else {
                return XCTFail("\(error)", line: line)
            }
            XCTAssertEqual(file, "s.h5", line: line)
            XCTAssertEqual(k, "detector 'p' \(key)", "\(error)", line: line)
        }
    }

    /// A negative, NaN, fractional, huge or repeated PaDiM channel index.
    func testPaDiMChannelIndicesMustBeWholeDistinctAndInRange() throws {
        XCTAssertNoThrow(try StateBounds.check(padim(channels: [0, 5, 3]), name: "p", size: (16, 16), file: "s.h5"))
        for bad: [Float] in [[0, -1], [.nan, 1], [1.5], [1e30], [.infinity], [2, 2]] {
            assertRefused(padim(channels: bad), "tensor channels")
        }
        assertRefused(padim(channels: [0], stages: "2,99"), "stages")
        assertRefused(padim(channels: [0], stages: "-1"), "stages")
        assertRefused(padim(channels: [0], stages: "2,2"), "stages")
        var nan = padim(channels: [0])
        nan.tensors["mean"] = Tensor(shape: [2, 2, 1], values: [0, .nan, 0, 0])
        assertRefused(nan, "tensor mean")
        var regularization = padim(channels: [0])
        regularization.config["regularization"] = "-1"
        assertRefused(regularization, "regularization")
    }

    func testGoldenTemplateSigmaEpsAndTensors() throws {
        func golden(_ config: [String: String], std: Float = 0.5) -> DetectorState {
            DetectorState(kind: "golden-template", config: ["eps": "0.01", "sigma": "4"].merging(config) { $1 },
                          tensors: ["mean": Tensor(shape: [16, 16], values: [Float](repeating: 0, count: 256)),
                                    "std": Tensor(shape: [16, 16], values: [Float](repeating: std, count: 256))])
        }
        XCTAssertNoThrow(try StateBounds.check(golden([:]), name: "p", size: (16, 16), file: "s.h5"))
        for sigma in ["1e9", "-5", "0", "nan", "inf", "65", "x"] { assertRefused(golden(["sigma": sigma]), "sigma") }
        for eps in ["-1", "0", "nan", "-inf", "1e7"] { assertRefused(golden(["eps": eps]), "eps") }
        assertRefused(golden([:], std: -1), "tensor std")
        assertRefused(golden([:], std: .nan), "tensor std")
        XCTAssertThrowsError(try StateBounds.check(golden([:]), name: "p", size: (0, 0), file: "s.h5"))
        XCTAssertThrowsError(try StateBounds.check(golden([:]), name: "p", size: (8, 8), file: "s.h5"))
        XCTAssertThrowsError(try StateBounds.check(golden([:]), name: "p", size: (16, 9000), file: "s.h5"))
    }

    /// A channel index beyond the backbone's stages (but within the table's
    /// bound) is refused by PaDiM itself, which knows the backbone.
    func testPaDiMChannelBeyondTheBackboneIsRefusedOnRestore() throws {
        let backbone = TinyBackbone()
        XCTAssertNoThrow(try PaDiM(state: padim(channels: [0, 7], stages: "0,1"), backbone: backbone))
        XCTAssertThrowsError(try PaDiM(state: padim(channels: [0, 8], stages: "0,1"), backbone: backbone)) { error in
            XCTAssertEqual(error as? DetectorError, .tensorLayout(kind: "padim", name: "channels",
                                                                  expected: "whole channel indices in 0…7, found 8.0"))
        }
        XCTAssertThrowsError(try PaDiM(state: padim(channels: [0], stages: "0,2"), backbone: backbone)) { error in
            XCTAssertEqual(error as? DetectorError, .configValue(kind: "padim", key: "stages", value: "0,2"))
        }
        XCTAssertThrowsError(try PatchCore(state: DetectorState(kind: "patchcore", config: ["stages": "5"], tensors: [:]),
                                           backbone: backbone)) { error in
            XCTAssertEqual(error as? DetectorError, .configValue(kind: "patchcore", key: "stages", value: "5"))
        }
    }
}

/// Two stages of 3 and 5 channels; never run.
private struct TinyBackbone: Backbone {
    let name = "tiny"
    let stages: [(channels: Int, stride: Int)] = [(3, 2), (5, 4)]
    let normalization: (mean: [Float], std: [Float]) = ([0, 0, 0], [1, 1, 1])
    func forward(_ image: [Float], height: Int, width: Int, stages: [Int], threads: Int) -> [FeatureMap] { [] }
}
