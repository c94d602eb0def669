import Foundation
import XCTest
import SegAD
import SegADNative
import _TestSupport

/// The working-size rule lives twice, on purpose: `WorkingSize.forImage`
/// (extract-maps working-size, make images) and scripts/working-size.sh,
/// which pipelines/vad.mk runs at parse time — VAD_SIZE names targets, so Make
/// needs it before any tool is built (a generated include would make even
/// `make -n vad-…` build the tools first). This test keeps the two equal.
final class WorkingSizeRuleTests: XCTestCase {
    func testScriptAndToolGiveTheSameWorkingSize() throws {
        let tmp = try ToolRunner.temporaryDirectory(self)
        // (height, width): squares, both orientations, exact halves (16×17: 8.5 strides), thin parts, one over 2048.
        let shapes = [(300, 300), (512, 1024), (1024, 512), (375, 500), (500, 1247), (33, 47), (47, 33),
                      (100, 700), (16, 16), (16, 17), (23, 16), (50, 90), (90, 50), (300, 2399), (300, 2500)]
        for (h, w) in shapes {
            let png = "\(tmp)/\(h)x\(w).png"
            try PNG.writeGray8(path: png, width: w, height: h, pixels: [UInt8](repeating: 0, count: h * w))
            let script = try ToolRunner.run("bash", [ToolRunner.repoRoot + "/scripts/working-size.sh", png])
            let tool = WorkingSize.forImage(height: h, width: w)
            if max(tool.height, tool.width) > WorkingSize.maxSide {
                XCTAssertNotEqual(script.status, 0, "\(h)x\(w): \(script.stdout)")
                XCTAssertTrue(script.stderr.contains("over 2048 px"), script.stderr)
            } else {
                XCTAssertEqual(script.status, 0, script.stderr)
                XCTAssertEqual(script.stdout, "\(tool.height)x\(tool.width)\n", "\(h)x\(w)")
            }
        }
    }
}
