import Foundation
import XCTest
import _TestSupport

/// The same bits on every CPU (docs/determinism.md): a PatchCore fit and
/// apply on real ELPV cells, started under every OPENBLAS_CORETYPE this CPU
/// can execute (OpenBLAS then loads that family's kernels, as it would on
/// such a CPU) and with OPENBLAS_NUM_THREADS 1 and 2, writes the same bytes
/// in every dataset of the detector state and of the maps. Without the pin,
/// SandyBridge, Nehalem, Core2 and Prescott kernels change the maps.
final class CrossCPUBitsTests: XCTestCase {
    /// OPENBLAS_CORETYPE names and the CPU flags (/proc/cpuinfo) their kernels need.
    static let coreTypes: [(name: String, flags: [String])] = [
        ("Haswell", ["avx2", "fma"]), ("Zen", ["avx2", "fma"]),
        ("SkylakeX", ["avx512f", "avx512bw", "avx512vl", "avx512dq"]),
        ("Cooperlake", ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_bf16"]),
        ("SandyBridge", ["avx"]), ("Nehalem", ["sse4_2"]), ("Core2", ["ssse3"]), ("Prescott", ["pni"]),
        ("Bulldozer", ["avx", "fma4", "xop"]),
    ]

    func testEveryCoreTypeAndThreadCountGiveTheSameBytes() throws {
        let root = ToolRunner.repoRoot + "/.cache"
        let weights = root + "/weights/efficientnet-lite0.pth"
        try XCTSkipUnless(FileManager.default.fileExists(atPath: weights), "weights not fetched (make weights)")
        let labels = try String(contentsOfFile: root + "/elpv/labels.csv", encoding: .utf8)
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = Set((cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") } ?? "").split(separator: " ").map(String.init))
        let runnable = Self.coreTypes.filter { $0.flags.allSatisfy(flags.contains) }.map(\.name)
        let skipped = Self.coreTypes.map(\.name).filter { !runnable.contains($0) }
        print("CrossCPUBitsTests: core types run: \(runnable.joined(separator: " ")); skipped (this CPU lacks their instructions): \(skipped.joined(separator: " "))")
        try XCTSkipUnless(runnable.contains("Haswell"), "this CPU has no AVX2 and FMA: no pin (docs/determinism.md)")

        // Ten good and four bad mono cells (4 good ones fit the detector).
        let tmp = try temporaryFolder()
        var good = 0, bad = 0
        for line in labels.split(separator: "\n") {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count == 3, f[2] == "mono" else { continue }
            let label = f[1] == "0.0" && good < 10 ? "good" : f[1] == "1.0" && bad < 4 ? "bad" : nil
            guard let label else { continue }
            if label == "good" { good += 1 } else { bad += 1 }
            try FileManager.default.createDirectory(atPath: tmp + "/cells/" + label, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: root + "/elpv/" + f[0], toPath: tmp + "/cells/\(label)/" + (f[0] as Substring).split(separator: "/").last!)
        }
        XCTAssertEqual(good + bad, 14)
        let manifest = tmp + "/m.json"
        let made = try ToolRunner.run("build-dataset", ["images-manifest", "--images", tmp + "/cells", "--seeds", "0", "-o", manifest])
        XCTAssertEqual(made.status, 0, made.stderr)

        // Every core type once, alternating 1 and 2 threads, and Haswell with both.
        let runs = [("Haswell", "1"), ("Haswell", "2")]
            + runnable.filter { $0 != "Haswell" }.enumerated().map { ($0.element, $0.offset % 2 == 0 ? "2" : "1") }
        for (core, threads) in runs {
            let dir = tmp + "/\(core)-\(threads)"
            let env = ["OPENBLAS_CORETYPE": core, "OPENBLAS_NUM_THREADS": threads, "OPENBLAS_VERBOSE": "2"]
            let fit = try ToolRunner.run("extract-maps", ["fit", "--manifest", manifest, "--kind", "patchcore", "--seed", "0", "--size", "64",
                                                          "--weights", weights, "--quiet", "-o", dir + "/patchcore.h5"], environment: env)
            XCTAssertEqual(fit.status, 0, "\(core) \(threads): " + fit.stderr)
            // OpenBLAS loaded the family asked for, then the pin switched to Haswell.
            let cores = fit.stderr.split(separator: "\n").filter { $0.hasPrefix("Core: ") }.map { $0.dropFirst(6).lowercased() }
            XCTAssertEqual(cores, [core.lowercased(), "haswell"], "\(core): \(fit.stderr)")
            let apply = try ToolRunner.run("extract-maps", ["apply", "--manifest", manifest, "--state", dir + "/patchcore.h5", "--quiet",
                                                            "-o", dir + "/maps.h5"], environment: env)
            XCTAssertEqual(apply.status, 0, "\(core) \(threads): " + apply.stderr)
        }
        // Every dataset, bit for bit (the attributes name each run's own folder).
        let reference = tmp + "/Haswell-1"
        for (core, threads) in runs.dropFirst() {
            for name in ["patchcore.h5", "maps.h5"] {
                let compared = try ToolRunner.run("python3", [ToolRunner.repoRoot + "/scripts/reliability/compare_h5.py",
                                                              reference + "/" + name, tmp + "/\(core)-\(threads)/" + name])
                XCTAssertEqual(compared.status, 0, "\(core), \(threads) thread(s), \(name): " + compared.stdout + compared.stderr)
            }
        }
    }
}
