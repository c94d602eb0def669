import Foundation
import XCTest

public extension XCTestCase {
    /// A fresh, empty folder under the system's temporary directory, removed
    /// with its contents when the test ends (pass or fail).
    func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "segad-test-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }
}
