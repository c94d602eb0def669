import XCTest
final class PlaceholderSegADDetectorsTests: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
