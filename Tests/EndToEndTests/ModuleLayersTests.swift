import Foundation
import XCTest
import _TestSupport

/// The module layering of docs/architecture.md, "Layers", as the sources
/// import it: SegADKernels imports no project module, SegADFigures only
/// SegADNative, and SegADCore (data) and SegADDetectors (compute) are
/// siblings that never import each other. Package.swift declares the same
/// edges, so a file that crossed one would not build; this test names the
/// file when someone widens a dependency list to let it in.
final class ModuleLayersTests: XCTestCase {
    static let projectModules = ["SegADNative", "SegADKernels", "SegADCore", "SegADDetectors", "SegADFigures",
                                 "SegADMethod", "SegADDeploy", "SegADDatasets", "SegAD"]

    /// Project modules imported by the Swift files under Sources/MODULE.
    func imports(of module: String) throws -> [String: Set<String>] {
        let root = ToolRunner.repoRoot + "/Sources/" + module
        var out: [String: Set<String>] = [:]
        let walker = try XCTUnwrap(FileManager.default.enumerator(atPath: root))
        while let relative = walker.nextObject() as? String {
            guard relative.hasSuffix(".swift") else { continue }
            let text = try String(contentsOfFile: root + "/" + relative, encoding: .utf8)
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ")
                guard let i = words.firstIndex(of: "import"), i + 1 < words.count else { continue }
                let name = String(words[i + 1])
                if Self.projectModules.contains(name) { out[relative, default: []].insert(name) }
            }
        }
        return out
    }

    func assertImports(of module: String, within allowed: Set<String>, line: UInt = #line) throws {
        for (file, names) in try imports(of: module) {
            XCTAssertTrue(names.isSubset(of: allowed),
                          "Sources/\(module)/\(file) imports \(names.subtracting(allowed).sorted())", line: line)
        }
    }

    func testCoreAndDetectorsAreSiblingsOverNativeAndKernels() throws {
        try assertImports(of: "SegADKernels", within: [])
        try assertImports(of: "SegADCore", within: ["SegADNative", "SegADKernels"])
        try assertImports(of: "SegADDetectors", within: ["SegADNative", "SegADKernels"])
        try assertImports(of: "SegADFigures", within: ["SegADNative"])
    }

    /// One home for pure image operations: resampling, pooling, blurs and
    /// gradients are in SegADKernels/Images and nowhere else.
    func testPureImageOperationsHaveOneHome() throws {
        let root = ToolRunner.repoRoot + "/Sources"
        let walker = try XCTUnwrap(FileManager.default.enumerator(atPath: root))
        var homes: [String] = []
        while let relative = walker.nextObject() as? String {
            guard relative.hasSuffix(".swift") else { continue }
            let text = try String(contentsOfFile: root + "/" + relative, encoding: .utf8)
            if text.contains("enum MapOps") || text.contains("enum ImageOps") || text.contains("enum Resize") {
                homes.append(relative)
            }
        }
        XCTAssertEqual(homes.sorted(), ["SegADKernels/Images/ImageOps.swift", "SegADKernels/Images/MapOps.swift",
                                        "SegADKernels/Images/Resize.swift", "SegADKernels/Images/ResizeMode.swift"])
    }
}
