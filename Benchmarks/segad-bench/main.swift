// segad-bench: release-only benchmarks (see BENCHMARKS.md).
//
//     segad-bench read-floor MAPS.h5 [MAPS.h5 …] [--block 64]
//     segad-bench hash FILE [FILE …]
//     segad-bench patchcore-fit | nn | nn-pruned | backbone | apply [options]   (Detectors.swift)
//     segad-bench blas-pin [--size PX] [--images N] [--fit N] [--apply N]       (BLASPin.swift)
//     segad-bench pipeline-load PIPELINE.h5 [--repeat N]                       (PipelineLoad.swift)
//     segad-bench score PIPELINE.h5 IMAGES_DIR [--images N] [--batch B]       (Score.swift)
//     segad-bench bandwidth [--mb 512] [--repeat 5]                           (Bandwidth.swift)
//
// read-floor: the floor under segment-stats' throughput. It opens the maps
// artifacts as segment-stats does (MapsArtifact), reads their maps block by
// block of rows through the same HDF5 wrapper (HDF5Dataset.readRows, via
// MapsArtifact.readMaps; the artifacts in turn, as segment-stats does) and
// touches each value once (a sum), on one thread. It prints
//     RESULT floor items=N seconds=S items_per_s=R sum=…
// where an item is one image with its K maps (K = number of artifacts), and
// checks that it read what is there: the largest value it saw in each map
// must equal the map's recorded max (max_scores), or it exits 1.
//
// hash: the provenance part of segment-stats' cost. Every stage records the
// SHA-256 of its inputs (docs/design.md, "Stages and artifacts"), so segment-stats hashes each maps
// artifact in full; this times FileHashes.sha256 (the same code) on the
// files one after another, on one thread, and prints
//     RESULT hash bytes=B seconds=S mb_per_s=R
import Foundation
import SegAD

/// Exits in a debug build. A function, so that neither build warns: inline at
/// top level, `#if DEBUG … exit(2)` made the rest of this file unreachable in
/// debug builds, and a run-time flag made the exit unreachable in release.
func refuseDebugBuild() {
    #if DEBUG
    FileHandle.standardError.write("segad-bench refuses to run in a debug build: use `swift run -c release segad-bench`\n".data(using: .utf8)!)
    exit(2)
    #endif
}
refuseDebugBuild()

func usage() -> Never {
    FileHandle.standardError.write("usage: segad-bench read-floor MAPS.h5 [MAPS.h5 …] [--block ROWS] | hash FILE [FILE …] | patchcore-fit [--images N] [--size PX] [--ratio R] [--check-plain] | nn [--queries Q] [--bank M] [--dim D] | nn-pruned [--fit N] [--images N] [--size PX] [--width PX] [--ratio R] [--clusters K] | backbone [--size PX] [--images N] | apply [--fit N] [--images N] [--size PX] | pipeline-load PIPELINE.h5 [--repeat N] | score PIPELINE.h5 IMAGES_DIR [--images N] [--batch B] | bandwidth [--mb MIB] [--repeat N] | blas-pin [--size PX] [--images N] [--fit N] [--apply N] [--repeat N]\n".data(using: .utf8)!)
    exit(64)
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write("segad-bench: \(message)\n".data(using: .utf8)!)
    exit(1)
}

/// Seconds since `began`.
func seconds(since began: ContinuousClock.Instant) -> Double {
    let elapsed = began.duration(to: ContinuousClock().now)
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

/// Reads every map of `paths` (K artifacts with the same items), touching each
/// value once; returns (items, seconds, sum).
func readFloor(paths: [String], block: Int) throws -> (Int, Double, Double) {
    let began = ContinuousClock().now
    let maps = try paths.map { try MapsArtifact(path: $0) }
    let n = maps[0].count, pixels = maps[0].pixelsPerMap
    for m in maps where m.count != n || m.pixelsPerMap != pixels {
        fail("\(m.reader.path): \(m.count) maps of \(m.pixelsPerMap) pixels; \(maps[0].reader.path) has \(n) of \(pixels)")
    }
    var buffer = [Float](repeating: 0, count: block * pixels)
    var total = 0.0
    for start in stride(from: 0, to: n, by: block) {
        let count = min(block, n - start)
        for m in maps {
            try buffer.withUnsafeMutableBufferPointer { buffer in
                try m.readMaps(start, count: count, into: UnsafeMutableBufferPointer(rebasing: buffer[0 ..< count * pixels]))
                for j in 0 ..< count {
                    let p = buffer.baseAddress! + j * pixels
                    // Eight independent sums and maxima: one pass, vectorisable.
                    var s = SIMD8<Float>(repeating: 0), hi = SIMD8<Float>(repeating: -.infinity)
                    var i = 0
                    while i + 8 <= pixels {
                        let v = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
                        s += v
                        hi = pointwiseMax(hi, v)
                        i += 8
                    }
                    var top = hi.max()
                    while i < pixels { s[0] += p[i]; top = max(top, p[i]); i += 1 }
                    total += Double(s.sum())
                    if top != m.maxScores[start + j] {
                        fail("\(m.reader.path): map \(start + j) has max \(top) but records \(m.maxScores[start + j])")
                    }
                }
            }
        }
    }
    return (n, seconds(since: began), total)
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let mode = arguments.first else { usage() }
arguments.removeFirst()
switch mode {
case "read-floor":
    var block = 64
    var paths: [String] = []
    var i = 0
    while i < arguments.count {
        if arguments[i] == "--block" {
            guard i + 1 < arguments.count, let b = Int(arguments[i + 1]), b >= 1 else { usage() }
            block = b
            i += 2
        } else {
            paths.append(arguments[i])
            i += 1
        }
    }
    if paths.isEmpty { usage() }
    do {
        let (n, seconds, sum) = try readFloor(paths: paths, block: block)
        print("RESULT floor items=\(n) seconds=\(String(format: "%.3f", seconds)) items_per_s=\(String(format: "%.2f", Double(n) / seconds)) sum=\(sum)")
    } catch {
        fail("\(error)")
    }
case "hash":
    if arguments.isEmpty { usage() }
    do {
        var bytes = 0
        for path in arguments {
            bytes += try (FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        }
        let began = ContinuousClock().now
        for path in arguments { _ = try FileHashes.sha256(path) }
        let s = seconds(since: began)
        print("RESULT hash bytes=\(bytes) seconds=\(String(format: "%.3f", s)) mb_per_s=\(String(format: "%.1f", Double(bytes) / s / 1e6))")
    } catch {
        fail("\(error)")
    }
case "patchcore-fit":
    do { try benchPatchCoreFit(arguments) } catch { fail("\(error)") }
case "nn":
    benchNN(arguments)
case "nn-pruned":
    do { try benchNNPruned(arguments) } catch { fail("\(error)") }
case "backbone":
    do { try benchBackbone(arguments) } catch { fail("\(error)") }
case "apply":
    do { try benchApply(arguments) } catch { fail("\(error)") }
case "blas-pin":
    do { try benchBLASPin(arguments) } catch { fail("\(error)") }
case "score":
    do { try benchScore(arguments) } catch { fail("\(error)") }
case "bandwidth":
    benchBandwidth(arguments)
case "pipeline-load":
    do { try benchPipelineLoad(arguments) } catch { fail("\(error)") }
default:
    usage()
}
