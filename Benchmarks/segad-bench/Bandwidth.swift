import Dispatch
import Foundation

/// segad-bench bandwidth [--mb 512] [--repeat 5]: the memory floor of the
/// per-image stages that stream more than the caches hold (PaDiM's factors;
/// docs/patchcore.md, "Per-stage floors"). Sums a buffer of --mb MiB of
/// float32, one contiguous half per core, best of --repeat passes; prints
///     RESULT bandwidth mb=… gb_per_s=… threads=… load=…
func benchBandwidth(_ args: [String]) {
    let mb = option(args, "--mb", 512), repeats = option(args, "--repeat", 5)
    let count = mb << 18
    let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
    defer { buffer.deallocate() }
    for i in 0..<count { buffer[i] = Float(i & 1023) }
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let address = Int(bitPattern: buffer)
    let load0 = loadAverage()
    var best = Double.infinity
    var total: Float = 0
    for _ in 0..<repeats {
        let sums = UnsafeMutablePointer<Float>.allocate(capacity: cores)
        defer { sums.deallocate() }
        let sumsAddress = Int(bitPattern: sums)
        let (_, s) = timed {
            DispatchQueue.concurrentPerform(iterations: cores) { w in
                let p = UnsafePointer<Float>(bitPattern: address)!
                let lo = count * w / cores, hi = count * (w + 1) / cores
                var acc = SIMD16<Float>()
                var i = lo
                while i + 16 <= hi { acc += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self); i += 16 }
                UnsafeMutablePointer<Float>(bitPattern: sumsAddress)![w] = acc.sum()
            }
        }
        best = min(best, s)
        total = (0..<cores).reduce(0) { $0 + sums[$1] }
    }
    print("RESULT bandwidth mb=\(mb) gb_per_s=\(String(format: "%.2f", Double(count * 4) / best / 1e9)) threads=\(cores) checksum=\(total) load=\(load0)/\(loadAverage())")
}
