import Foundation

/// One backbone pass shared by the detectors that score the same images:
/// inside `SharedForward.sharing { … }`, `Backbone.forwardBatch` keeps its
/// last pass — every stage up to the deepest one asked for — and answers a
/// later call on the same backbone, size and (equal) images from it. A
/// saved pipeline's PatchCore and PaDiM both run EfficientNet-Lite0 to
/// stage 4 on each image; sharing runs it once (BENCHMARKS.md, "Line
/// speed"). A stage's values do not depend on which other stages are
/// returned (the pass is the same up to the deepest), so a shared answer
/// is the one a pass of its own gives, bit for bit.
public final class SharedForward: @unchecked Sendable {
    @TaskLocal static var current: SharedForward?

    private let lock = NSLock()
    private var backbone: ObjectIdentifier?
    private var size = (height: 0, width: 0)
    private var images: [[Float]] = []
    private var stages: [Int] = []
    private var maps: [[FeatureMap]] = []
    /// Passes answered from the kept one (tests).
    public private(set) var hits = 0

    public init() {}

    /// Runs `body` with backbone passes shared through `shared`.
    public static func sharing<R>(in shared: SharedForward = SharedForward(), _ body: () throws -> R) rethrows -> R {
        try $current.withValue(shared) { try body() }
    }

    /// The kept pass's maps for `wanted`, when it covers this call.
    func answer(_ b: ObjectIdentifier, _ images: [[Float]], height: Int, width: Int, stages wanted: [Int]) -> [[FeatureMap]]? {
        lock.lock(); defer { lock.unlock() }
        guard backbone == b, size == (height, width), wanted.allSatisfy(stages.contains), self.images == images else { return nil }
        hits += 1
        let index = wanted.map { stages.firstIndex(of: $0)! }
        return maps.map { m in index.map { m[$0] } }
    }

    func keep(_ b: ObjectIdentifier, _ images: [[Float]], height: Int, width: Int, stages: [Int], maps: [[FeatureMap]]) {
        lock.lock(); defer { lock.unlock() }
        (backbone, size, self.images, self.stages, self.maps) = (b, (height, width), images, stages, maps)
    }
}
