import Foundation
import XCTest
@testable import SegADNative

/// Model JSON is validated before libxgboost sees it (docs/reliability.md,
/// "One artifact gate"): each probe edits one field of a real model (three
/// rounds of depth-2 trees on two features) and must be refused with one
/// line naming the source, instead of crashing or hanging inside XGBoost.
final class XGBModelGateTests: XCTestCase {
    private var model = ""

    override func setUpWithError() throws {
        model = try XGBoostTests.trainTiny().0.jsonModel()
    }

    /// The model with `edit` applied to the JSON object of tree `tree`.
    private func editTree(_ tree: Int = 0, _ edit: (inout [String: Any]) -> Void) throws -> String {
        try editModel { gbtree in
            var trees = gbtree["trees"] as! [[String: Any]]
            edit(&trees[tree])
            gbtree["trees"] = trees
        }
    }

    /// The model with `edit` applied to `learner.gradient_booster.model`.
    private func editModel(_ edit: (inout [String: Any]) -> Void = { _ in },
                           learner editLearner: ((inout [String: Any]) -> Void)? = nil) throws -> String {
        var root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(model.utf8)) as? [String: Any])
        var learner = root["learner"] as! [String: Any]
        var booster = learner["gradient_booster"] as! [String: Any]
        var gbtree = booster["model"] as! [String: Any]
        edit(&gbtree)
        booster["model"] = gbtree
        learner["gradient_booster"] = booster
        editLearner?(&learner)
        root["learner"] = learner
        return String(decoding: try JSONSerialization.data(withJSONObject: root), as: UTF8.self)
    }

    private func assertRefused(_ json: String, _ expected: String, limits: XGBModelLimits = XGBoostTests.limits,
                               line: UInt = #line) {
        XCTAssertThrowsError(try XGBBooster(json: json, source: "model.h5", limits: limits), line: line) { error in
            XCTAssertTrue(error is XGBModelError, "\(type(of: error)): \(error)", line: line)
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("model.h5: ") && text.contains(expected), text, line: line)
            XCTAssertFalse(text.contains("\n"), text, line: line)
        }
    }

    func testTheRealModelLoadsAfterEditingNothing() throws {
        XCTAssertNoThrow(try XGBBooster(json: model, source: "model.h5", limits: XGBoostTests.limits))
        XCTAssertNoThrow(try XGBModelCheck.validate(try editTree { _ in }, source: "model.h5", limits: XGBoostTests.limits))
    }

    /// A split or child index out of range segfaulted inside libxgboost.
    func testSplitOrChildIndexOutOfRangeIsRefused() throws {
        assertRefused(try editTree { $0["split_indices"] = [99, 0, 0, 0, 0, 0, 0].prefix(($0["split_indices"] as! [Any]).count).map { $0 } },
                      "node 0 splits on feature 99; the model has 2")
        assertRefused(try editTree { t in
            var left = t["left_children"] as! [Int]; left[0] = 999; t["left_children"] = left
        }, "node 0 has children 999")
        assertRefused(try editTree { t in
            var right = t["right_children"] as! [Int]; right[0] = -7; t["right_children"] = right
        }, "has children")
    }

    /// A node pointing to itself (or back up the tree) made scoring hang.
    func testANodeReachedTwiceIsRefused() throws {
        assertRefused(try editTree { t in
            var left = t["left_children"] as! [Int], right = t["right_children"] as! [Int]
            left[1] = 1; right[1] = 2
            t["left_children"] = left; t["right_children"] = right
        }, "is reached twice")
        assertRefused(try editTree { t in
            var left = t["left_children"] as! [Int]; left[1] = 0; t["left_children"] = left
        }, "children lie in 1 …")
    }

    func testDepthBeyondTheBoundIsRefused() throws {
        // A chain 0 → 1 → 3 → 5 (each with a leaf beside it): depth 3.
        let n = 7
        let chain: [String: Any] = [
            "tree_param": ["num_nodes": "\(n)", "size_leaf_vector": "1"],
            "left_children": [1, 3, -1, 5, -1, -1, -1], "right_children": [2, 4, -1, 6, -1, -1, -1],
            "parents": [2147483647, 0, 0, 1, 1, 3, 3], "split_indices": [0, 1, 0, 0, 0, 0, 0],
            "split_conditions": [0.5, 0.5, 1, 0.5, 1, 1, 1], "default_left": [0, 0, 0, 0, 0, 0, 0],
            "base_weights": [0, 0, 0, 0, 0, 0, 0], "loss_changes": [0, 0, 0, 0, 0, 0, 0],
            "sum_hessian": [1, 1, 1, 1, 1, 1, 1], "split_type": [0, 0, 0, 0, 0, 0, 0]]
        XCTAssertNil(XGBModelCheck.treeFault(chain, features: 2, maxDepth: 3))
        XCTAssertEqual(XGBModelCheck.treeFault(chain, features: 2, maxDepth: 2), "deeper than 2 levels")
        XCTAssertEqual(XGBModelCheck.treeFault(chain, features: 1, maxDepth: 3), "node 1 splits on feature 1; the model has 1")
        assertRefused(model, "more than 2", limits: XGBModelLimits(maxDepth: 20, maxTrees: 2))
    }

    func testInconsistentArrayLengthsAndCountsAreRefused() throws {
        assertRefused(try editTree { t in t["parents"] = (t["parents"] as! [Any]).dropLast().map { $0 } },
                      "parents does not hold one entry per node")
        assertRefused(try editModel { $0["tree_info"] = [0] }, "declares 3 trees but holds 3 (and 1 tree_info")
        assertRefused(try editModel { $0["gbtree_model_param"] = ["num_trees": "7", "num_parallel_tree": "1"] },
                      "declares 7 trees")
        assertRefused(try editModel(learner: { l in
            var p = l["learner_model_param"] as! [String: Any]; p["num_class"] = "3"; l["learner_model_param"] = p
        }), "multi-class")
        assertRefused(try editTree { t in t["split_type"] = (t["split_type"] as! [Any]).map { _ in 1 } }, "categorical")
        assertRefused("[1, 2]", "not a JSON object")
        // A tree id given twice left XGBoost an empty slot: scoring crashed (release fuzz run).
        assertRefused(try editTree(1) { $0["id"] = 0 }, "tree 1 of the model: its id is 0, not 1")
        // A key given twice: Foundation and XGBoost might keep different values.
        let twice = model.replacingOccurrences(of: "\"left_children\":", with: "\"left_children\":[7],\"left_children\":")
        XCTAssertNotEqual(twice, model)
        assertRefused(twice, "key left_children twice")
        let escaped = model.replacingOccurrences(of: "\"left_children\":", with: "\"left\\u005fchildren\":[7],\"left_children\":")
        assertRefused(escaped, "key left_children twice")
        XCTAssertNil(XGBModelCheck.repeatedKey(#"{"a":{"a":1,"b":"a"},"b":["a","a"],"c\"":1,"c":2}"#))
    }

    /// XGBoost's own refusal is one readable line, without source locations.
    func testXGBoostsOwnRefusalIsOneReadableLine() throws {
        let json = try editModel(learner: { l in l["objective"] = ["name": "binary:no-such-objective"] })
        XCTAssertThrowsError(try XGBBooster(json: json, source: "model.h5", limits: XGBoostTests.limits)) { error in
            guard case .unloadable(let file, let message)? = error as? XGBModelError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "model.h5")
            XCTAssertTrue(message.contains("no-such-objective"), message)
            XCTAssertNil(message.firstMatch(of: #/\.(cc|h):\d+/#), message)
            XCTAssertFalse("\(error)".contains("\n"))
        }
    }
}

extension XGBModelGateTests {
    /// XGBoost's errors while scoring are one line without C++ source locations too.
    func testXGBoostErrorsNameNoSourceLocations() throws {
        let booster = try XGBBooster(json: model, source: "model.h5", limits: XGBoostTests.limits)
        let matrix = try XGBDMatrix(values: [Float](repeating: 0, count: 40), rows: 4, columns: 10)
        XCTAssertThrowsError(try booster.predictMargins(matrix)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("XGBoosterPredictFromDMatrix(type 1) failed (-1): "), text)
            XCTAssertNil(text.firstMatch(of: #/\.(cc|h):\d+/#), text)
            XCTAssertFalse(text.contains("\n"), text)
        }
    }
}
