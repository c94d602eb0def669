import Foundation
import Dispatch
import SegADNative
internal import COpenBLAS
internal import CBLASPin

/// A CNN that maps a normalized 3×H×W image to feature maps at some of its
/// stages. Stages are numbered from 0; `stages[i]` gives the channels and the
/// stride (input pixels per feature cell) of stage i.
public protocol Backbone: Sendable {
    /// A short identifier, e.g. `efficientnet-lite0`.
    var name: String { get }
    /// Channels and stride of every stage the backbone can return.
    var stages: [(channels: Int, stride: Int)] { get }
    /// The normalization its weights expect (per-channel mean and std for RGB in [0, 1]).
    var normalization: (mean: [Float], std: [Float]) { get }
    /// Runs one image (3×H×W, already normalized) up to the deepest stage requested
    /// and returns the requested stages' outputs, in the order asked, using up
    /// to `threads` threads. The caller has set OpenBLAS to one thread
    /// (`BLASThreads.with(1)`), as `forward` and `forwardBatch` do; the values
    /// do not depend on `threads`.
    func forward(_ image: [Float], height: Int, width: Int, stages: [Int], threads: Int) -> [FeatureMap]
}

extension Backbone {
    /// Turns a gray (1×H×W) or RGB (3×H×W) image with values in [0, 1] into the
    /// backbone's input: gray is replicated to three channels, then each channel
    /// becomes (x − mean) / std.
    public func normalize(_ image: [Float], channels: Int, height: Int, width: Int) -> [Float] {
        precondition(channels == 1 || channels == 3, "normalize: 1 or 3 channels")
        precondition(image.count == channels * height * width, "normalize: size mismatch")
        let (mean, std) = normalization
        let hw = height * width
        var out = [Float](repeating: 0, count: 3 * hw)
        for c in 0..<3 {
            let src = channels == 1 ? 0 : c
            let m = mean[c], s = 1 / std[c]
            for i in 0..<hw { out[c * hw + i] = (image[src * hw + i] - m) * s }
        }
        return out
    }

    /// Runs one image on all cores (OpenBLAS set to one thread for the
    /// duration, restored to `ProcessInfo.activeProcessorCount` after).
    public func forward(_ image: [Float], height: Int, width: Int, stages: [Int]) -> [FeatureMap] {
        BLASThreads.with(1) { forward(image, height: height, width: width, stages: stages, threads: Parallel.cores) }
    }

    /// Runs several images, all cores working: images are spread over the
    /// cores, each forward pass on one thread when there are at least as
    /// many images as cores (no joins inside a pass; the cores share no
    /// work), else on cores/images threads. OpenBLAS is set to one thread for
    /// the duration, restored to `ProcessInfo.activeProcessorCount` after.
    /// `images[i]` is a normalized 3×H×W image; the result is indexed like it.
    /// Inside `SharedForward.sharing`, a pass is kept and shared (see there).
    public func forwardBatch(_ images: [[Float]], height: Int, width: Int, stages: [Int],
                             progress: StageProgress? = nil) -> [[FeatureMap]] {
        // Shared only for backbones that are objects: a value's identity
        // would be a temporary box's.
        guard let shared = SharedForward.current, type(of: self) is AnyObject.Type, let deepest = stages.max() else {
            return forwardBatchUnshared(images, height: height, width: width, stages: stages, progress: progress)
        }
        let id = ObjectIdentifier(self as AnyObject)
        if let maps = shared.answer(id, images, height: height, width: width, stages: stages) { return maps }
        let all = Array(0...deepest)
        let maps = forwardBatchUnshared(images, height: height, width: width, stages: all, progress: progress)
        shared.keep(id, images, height: height, width: width, stages: all, maps: maps)
        return maps.map { m in stages.map { m[$0] } }
    }

    func forwardBatchUnshared(_ images: [[Float]], height: Int, width: Int, stages: [Int],
                              progress: StageProgress?) -> [[FeatureMap]] {
        let n = images.count
        if n == 0 { return [] }
        let workers = max(1, min(n, Parallel.cores))
        let threads = max(1, Parallel.cores / workers)
        let out = Parallel.Slots<[FeatureMap]>(n, empty: [])
        let counter = Parallel.Counter()
        BLASThreads.with(1) {
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var i = w
                while i < n {
                    out[i] = forward(images[i], height: height, width: width, stages: stages, threads: threads)
                    progress?.advance(counter.increment())
                    i += workers
                }
            }
        }
        return out.values
    }
}

/// Helpers for spreading work over the cores.
enum Parallel {
    static var cores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Result slots that concurrent workers fill, each index written by one worker.
    final class Slots<T>: @unchecked Sendable {
        private let buffer: UnsafeMutableBufferPointer<T>
        init(_ n: Int, empty: T) {
            buffer = .allocate(capacity: n)
            buffer.initialize(repeating: empty)
        }
        deinit { buffer.baseAddress!.deinitialize(count: buffer.count); buffer.deallocate() }
        subscript(i: Int) -> T {
            get { buffer[i] }
            set { buffer[i] = newValue }
        }
        var values: [T] { Array(buffer) }
    }

    /// Runs `body(part)` for every part in 0..<parts, each on its own thread
    /// when parts > 1 (inline when 1), and returns when all have finished.
    ///
    /// `body` is not `@Sendable`: callers give each part a disjoint range of
    /// the output buffers (through pointers) and only read shared inputs.
    /// That is race-free because `concurrentPerform` returns after every
    /// part has finished, so nothing `body` captures outlives this call;
    /// `Unchecked` carries it into the `@Sendable` closure.
    static func run(parts: Int, _ body: (Int) -> Void) {
        if parts <= 1 { body(0); return }
        withoutActuallyEscaping(body) { body in
            let shared = Unchecked(body)
            DispatchQueue.concurrentPerform(iterations: parts) { shared.value($0) }
        }
    }

    /// A value handed to concurrent parts that use it only as documented at
    /// the call site (disjoint writes, joined before return).
    struct Unchecked<Value>: @unchecked Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    /// The `part`-th of `parts` nearly equal pieces of 0..<n.
    static func range(_ part: Int, of parts: Int, in n: Int) -> Range<Int> {
        (n * part / parts)..<(n * (part + 1) / parts)
    }

    /// A thread-safe counter of finished items.
    final class Counter: @unchecked Sendable {
        private var value = 0
        private let lock = NSLock()
        func increment() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
        var current: Int { lock.lock(); defer { lock.unlock() }; return value }
    }
}

/// OpenBLAS's thread count is process-wide; callers that parallelize
/// themselves set it to one around their work. Afterwards it goes back to
/// the fixed count every other BLAS call runs with, never the CPU count: a
/// threaded sgemm's bits depend on how many threads split it
/// (docs/determinism.md).
enum BLASThreads {
    static func with<T>(_ n: Int, _ body: () -> T) -> T {
        segad_openblas_set_threads(Int32(n))
        defer { segad_openblas_set_threads(SEGAD_BLAS_THREADS) }
        return body()
    }
}

/// Backbones by name, for detector states and command lines.
public enum Backbones {
    /// The names `load` accepts: `efficientnet-lite0` (default), and the
    /// torchvision ResNets `resnet18` and `wide_resnet50_2` (any torchvision
    /// ResNet state dict loads under these names; the depth comes from the file).
    public static let names = ["efficientnet-lite0", "resnet18", "wide_resnet50_2"]

    /// Loads the backbone `name` from the checkpoint at `path`.
    public static func load(name: String, path: String) throws -> Backbone {
        switch name {
        case "efficientnet-lite0": return try EfficientNetLite0(path: path)
        case "resnet18", "wide_resnet50_2": return try ResNet(path: path, name: name)
        default: throw InputError(path, "unknown backbone \(name) (known: \(names.joined(separator: ", ")))")
        }
    }

    /// Stages PatchCore uses by default: the two mid-level stages (strides 8
    /// and 16; anomalib's layer2 + layer3 for ResNets).
    public static func patchCoreStages(_ b: Backbone) -> [Int] { b.name == "efficientnet-lite0" ? [2, 4] : [1, 2] }

    /// Stages PaDiM uses by default (anomalib: layer1…layer3 for ResNets).
    public static func padimStages(_ b: Backbone) -> [Int] { b.name == "efficientnet-lite0" ? [2, 3, 4] : [0, 1, 2] }
}
