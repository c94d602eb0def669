import Foundation
import SegADNative
import SegADCore
import SegADFigures

/// PNG members of an `OutputSet`.
extension OutputSet {
    mutating func gray8(_ path: String, width: Int, height: Int, pixels: [UInt8]) throws {
        try stage(path) { try PNG.writeGray8(path: $0, width: width, height: height, pixels: pixels) }
    }

    mutating func rgb8(_ path: String, _ canvas: Canvas) throws {
        try stage(path) { try canvas.writePNG(path: $0) }
    }
}
