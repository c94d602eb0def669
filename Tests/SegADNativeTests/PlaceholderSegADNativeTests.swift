import XCTest
final class PlaceholderSegADNativeTests: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
