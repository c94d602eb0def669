import XCTest
final class PlaceholderSegADTests: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
