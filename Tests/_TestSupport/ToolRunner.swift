import Foundation
import XCTest

/// Runs the built stage executables, Make and Python from tests.
public enum ToolRunner {
    /// The repository root (three levels above this file: Tests/_TestSupport/).
    public static let repoRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The folder holding the built executables (beside the test bundle).
    public static let binDirectory: String = {
        if let bin = ProcessInfo.processInfo.environment["SEGAD_BIN"] { return bin }
        // The test runner (segadPackageTests.xctest) sits beside the stage executables.
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let folder = runner.deletingLastPathComponent().path
        precondition(FileManager.default.isExecutableFile(atPath: folder + "/segment-stats"),
                     "stage executables not found beside \(runner.path); run `swift build` first or set SEGAD_BIN")
        return folder
    }()

    /// Written by one background block, read after `group.wait()` has joined it.
    final class DataBox: @unchecked Sendable { var data = Data() }

    public struct Result {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `executable` with `arguments`; `executable` without a slash is a stage binary.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], cwd: String? = nil,
                    environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        if executable.contains("/") {
            process.executableURL = URL(fileURLWithPath: executable)
        } else if ["make", "python3", "bash"].contains(executable) {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: binDirectory + "/" + executable)
        }
        if process.arguments == nil { process.arguments = arguments }
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        var env = ProcessInfo.processInfo.environment
        env["SEGAD_PROGRESS"] = "0"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes concurrently so neither fills up and blocks the child.
        let errBox = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let errData = errBox.data
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}
