import XCTest
final class PlaceholderSegADKernelsTests: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
