import Foundation
import XCTest
import _TestSupport

/// `make install` on a fresh clone builds what it installs, and the build
/// says once that it is compiling and how long that takes (README, "Where
/// things are"). Dry runs only: `make -n` lists the recipes without a
/// release build.
final class MakeInstallTests: XCTestCase {
    /// `make -n install` with no binaries yet: the build, then the install.
    /// Fails when `install` is read before `STAGE_BINARIES` is defined (its
    /// prerequisites were then empty and it installed files that did not exist).
    func testInstallBuildsTheBinariesFirstWhenTheyAreMissing() throws {
        let tmp = try temporaryFolder()
        let r = try ToolRunner.run("make", ["-C", ToolRunner.repoRoot, "-n", "install", "BIN=\(tmp)/bin",
                                            "ARTIFACTS=\(tmp)/artifacts", "PREFIX=\(tmp)/prefix"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let build = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("swift build -c release") }, r.stdout)
        let install = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("install -m 755") }, r.stdout)
        XCTAssertLessThan(build, install, r.stdout)
        XCTAssertTrue(lines[install].contains("\(tmp)/bin/extract-maps"), lines[install])
        XCTAssertTrue(lines[install].hasSuffix("'\(tmp)/prefix/bin/'"), lines[install])  // the prefix quoted as one shell word (pipelines/safe.mk)
    }

    /// The first build announces itself with the time it takes; with the
    /// binaries in place nothing is built and nothing is announced.
    func testTheFirstBuildSaysItIsCompilingAndHowLong() throws {
        let tmp = try temporaryFolder()
        let fresh = try ToolRunner.run("make", ["-C", ToolRunner.repoRoot, "-n", "install", "BIN=\(tmp)/bin",
                                                "ARTIFACTS=\(tmp)/artifacts", "PREFIX=\(tmp)/prefix"])
        XCTAssertEqual(fresh.status, 0, fresh.stderr)
        XCTAssertTrue(fresh.stdout.contains("the first build takes about 10 minutes on 2 cores"), fresh.stdout)
        let built = try ToolRunner.run("make", ["-C", ToolRunner.repoRoot, "-n", "install", "BIN=\(ToolRunner.binDirectory)",
                                                "ARTIFACTS=\(tmp)/artifacts", "PREFIX=\(tmp)/prefix"])
        XCTAssertEqual(built.status, 0, built.stderr)
        XCTAssertFalse(built.stdout.contains("swift build"), built.stdout)
        XCTAssertFalse(built.stdout.contains("Compiling the stage executables"), built.stdout)
    }
}
