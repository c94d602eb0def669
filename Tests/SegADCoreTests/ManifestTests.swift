import Foundation
import XCTest
import SegADNative
@testable import SegADCore

/// Manifest decoding (docs/manifest.md): a good file, every fault class the
/// loader names, and the writer's round trip. Each case writes a small JSON
/// manifest to a scratch folder and checks the exact one-line message.
final class ManifestTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "segad-core-manifest-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    /// A valid manifest as a JSON object: four items, two seeds.
    static func goodObject() -> [String: Any] {
        [
            "format": "segad-manifest", "version": 1, "name": "unit", "class": "pcb", "root": "data",
            "description": "four items",
            "items": [
                ["id": "g0", "label": "good", "image": "g0.png", "maps": ["ead": "m/g0.npy"], "segmentation": "s/g0.png"],
                ["id": "g1", "label": "good", "image": "/abs/g1.png"],
                ["id": "b0", "label": "bad", "maps": ["ead": "m/b0.npy"], "tags": ["unseen", "scratch"]],
                ["id": "u0", "label": "uncertain"],
            ] as [[String: Any]],
            "seeds": [
                "0": ["detector-train": ["g0"], "segad-train": ["g1", "b0"], "test": ["u0"]],
                "10": ["segad-train": ["b0", "g1"], "test": ["g0", "u0"]],
            ],
        ]
    }

    func write(_ object: Any, _ name: String = "m.json") throws -> String {
        let path = dir + "/" + name
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
        return path
    }

    func writeText(_ text: String, _ name: String = "m.json") throws -> String {
        let path = dir + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Loads `object` (edited by `edit`) and returns the error message.
    func refusal(_ edit: (inout [String: Any]) -> Void, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        var object = Self.goodObject()
        edit(&object)
        let path = try write(object)
        do {
            _ = try Manifest.load(path: path)
            XCTFail("loaded a faulty manifest", file: file, line: line)
            return ""
        } catch {
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix(path + ": "), "not naming the file: \(message)", file: file, line: line)
            XCTAssertFalse(message.contains("\n"), "not one line: \(message)", file: file, line: line)
            return String(message.dropFirst(path.count + 2))
        }
    }

    func editItem(_ n: Int, _ edit: @escaping (inout [String: Any]) -> Void) -> (inout [String: Any]) -> Void {
        { object in
            var items = object["items"] as! [[String: Any]]
            edit(&items[n])
            object["items"] = items
        }
    }

    // MARK: A good file

    func testGoodManifestDecodes() throws {
        let path = try write(Self.goodObject())
        let m = try Manifest.load(path: path)
        XCTAssertEqual(m.name, "unit")
        XCTAssertEqual(m.className, "pcb")
        XCTAssertEqual(m.root, dir + "/data")
        XCTAssertEqual(m.path, path)
        XCTAssertEqual(m.items, [
            ManifestItem(id: "g0", label: .good, image: "g0.png", maps: ["ead": "m/g0.npy"], segmentation: "s/g0.png"),
            ManifestItem(id: "g1", label: .good, image: "/abs/g1.png"),
            ManifestItem(id: "b0", label: .bad, maps: ["ead": "m/b0.npy"], tags: ["unseen", "scratch"]),
            ManifestItem(id: "u0", label: .uncertain),
        ])
        XCTAssertEqual(m.seedList, [0, 10])
        XCTAssertEqual(m.ids(.segadTrain, seed: 0), ["g1", "b0"])
        XCTAssertEqual(m.ids(.segadTrain, seed: 10), ["b0", "g1"], "training order is kept")
        XCTAssertEqual(m.ids(.detectorTrain, seed: 10), [])
        XCTAssertEqual(m.resolve("g0.png"), dir + "/data/g0.png")
        XCTAssertEqual(m.resolve("/abs/g1.png"), "/abs/g1.png")
        let (ids, paths) = try m.images(.detectorTrain, seed: 0)
        XCTAssertEqual(ids, ["g0"])
        XCTAssertEqual(paths, [dir + "/data/g0.png"])
        XCTAssertThrowsError(try m.images(.test, seed: 10)) { XCTAssertEqual("\($0)", path + ": item 'u0' has no image") }
        XCTAssertThrowsError(try m.images(.test, seed: 3)) { XCTAssertEqual("\($0)", path + ": has no seed 3") }
    }

    func testDefaultsClassToNameAndRootToTheManifestFolder() throws {
        var object = Self.goodObject()
        object["class"] = nil
        object["root"] = nil
        object["description"] = nil
        let m = try Manifest.load(path: try write(object))
        XCTAssertEqual(m.className, "unit")
        XCTAssertEqual(m.root, dir)
    }

    func testWriterRoundTripsAndKeepsTheCanonicalBytes() throws {
        let m = try Manifest.load(path: try write(Self.goodObject()))
        let data = try m.jsonData()
        // The canonical form of JSONSerialization (sorted keys its way: seed
        // "0" before "10", pretty-printed, slashes escaped), which the
        // manifests written before the Codable schema have.
        var canonical = Self.goodObject()
        canonical["root"] = nil
        canonical["description"] = nil
        XCTAssertEqual(String(decoding: data, as: UTF8.self),
                       String(decoding: try JSONSerialization.data(withJSONObject: canonical, options: [.sortedKeys, .prettyPrinted]),
                              as: UTF8.self))
        let again = try Manifest.load(path: try writeText(String(decoding: data, as: UTF8.self), "again.json"))
        XCTAssertEqual(again.items, m.items)
        XCTAssertEqual(again.seeds, m.seeds)
        XCTAssertEqual(again.className, m.className)
    }

    func testWriterSortsSeedsAndDetectorsAsJSONSerializationDoes() throws {
        // JSONEncoder's .sortedKeys would put "10" before "2" and "B" before
        // "a_b"; the written bytes must stay those of the earlier writer.
        let m = Manifest(name: "n", className: "n",
                         items: [ManifestItem(id: "a", label: .good, maps: ["B": "1", "a_b": "2", "a-b": "3"])],
                         seeds: [2: [.test: ["a"]], 10: [.test: ["a"]]], root: "/", path: "/m.json")
        let text = String(decoding: try m.jsonData(), as: UTF8.self)
        let two = try XCTUnwrap(text.range(of: "\"2\" :")), ten = try XCTUnwrap(text.range(of: "\"10\" :"))
        XCTAssertLessThan(two.lowerBound, ten.lowerBound)
        let object: [String: Any] = ["format": "segad-manifest", "version": 1, "name": "n",
                                     "items": [["id": "a", "label": "good", "maps": ["B": "1", "a_b": "2", "a-b": "3"]]],
                                     "seeds": ["2": ["test": ["a"]], "10": ["test": ["a"]]]]
        XCTAssertEqual(text, String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]),
                                    as: UTF8.self))
    }

    // MARK: Unknown keys, at every level that has fixed keys

    func testUnknownTopLevelKey() throws {
        XCTAssertEqual(try refusal { $0["itmes"] = [] as [Any] },
                       "unknown key 'itmes' (allowed: class, description, format, items, name, root, seeds, version)")
    }

    func testUnknownItemKey() throws {
        XCTAssertEqual(try refusal(editItem(3) { $0["lable"] = "bad" }), "item 3: unknown key 'lable'")
    }

    func testFirstUnknownKeyInSortedOrder() throws {
        XCTAssertEqual(try refusal(editItem(1) { $0["zz"] = 1; $0["aa"] = 2 }), "item 1: unknown key 'aa'")
    }

    func testUnknownRole() throws {
        XCTAssertEqual(try refusal { $0["seeds"] = ["0": ["tset": ["g0"]]] },
                       "seed 0: unknown role 'tset' (roles: detector-train, segad-train, classifier-train, test)")
    }

    // MARK: Wrong types

    func testWrongTypes() throws {
        XCTAssertEqual(try refusal { $0["format"] = "segad" }, "'format' must be \"segad-manifest\"")
        XCTAssertEqual(try refusal { $0["version"] = "1" }, "'version' must be an integer")
        XCTAssertEqual(try refusal { $0["version"] = 2 },
                       "manifest version 2 is newer than this tool reads (1); update segad")
        XCTAssertEqual(try refusal { $0["version"] = 0 }, "'version' must be ≥ 1")
        XCTAssertEqual(try refusal { $0["name"] = "" }, "'name' must be a non-empty string")
        XCTAssertEqual(try refusal { $0["name"] = nil }, "'name' must be a non-empty string")
        XCTAssertEqual(try refusal { $0["class"] = 3 }, "'class' must be a string")
        XCTAssertEqual(try refusal { $0["root"] = NSNull() }, "'root' must be a string")
        XCTAssertEqual(try refusal { $0["description"] = ["x"] }, "'description' must be a string")
        XCTAssertEqual(try refusal { $0["items"] = ["id": "x"] }, "'items' must be an array")
        XCTAssertEqual(try refusal { $0["items"] = [] as [Any] }, "'items' is empty")
        XCTAssertEqual(try refusal { $0["items"] = ["g0"] }, "item 0 must be an object")
        XCTAssertEqual(try refusal(editItem(2) { $0["id"] = 7 }), "item 2: 'id' must be a non-empty string")
        XCTAssertEqual(try refusal(editItem(2) { $0["label"] = "ok" }),
                       "item 'b0': 'label' must be one of good, bad, uncertain, unknown")
        XCTAssertEqual(try refusal(editItem(2) { $0["image"] = 1 }), "'image' must be a string")
        XCTAssertEqual(try refusal(editItem(2) { $0["maps"] = ["ead": 1] }),
                       "item 'b0': 'maps' must map detector names to paths")
        XCTAssertEqual(try refusal(editItem(2) { $0["segmentation"] = false }), "'segmentation' must be a string")
        XCTAssertEqual(try refusal(editItem(2) { $0["tags"] = "unseen" }), "item 'b0': 'tags' must be a list of strings")
        XCTAssertEqual(try refusal { $0["seeds"] = [["0": [:]]] }, "'seeds' must be an object mapping each seed to its roles")
        XCTAssertEqual(try refusal { $0["seeds"] = [String: Any]() }, "'seeds' is empty")
        XCTAssertEqual(try refusal { $0["seeds"] = ["0": ["g0"]] }, "seed 0: must map roles to id lists")
        XCTAssertEqual(try refusal { $0["seeds"] = ["0": ["test": "g0"]] }, "seed 0: 'test' must be a list of ids")
    }

    func testBooleanIsNotAnInteger() throws {
        XCTAssertEqual(try refusal { $0["version"] = true }, "'version' must be an integer")
    }

    func testAKeyGivenTwiceIsRefused() throws {
        // JSONSerialization would keep the last value, JSONDecoder the first.
        let top = try writeText("""
            {"format": "segad-manifest", "version": 1, "name": "a", "name": "b",
             "items": [{"id": "x", "label": "good"}], "seeds": {"0": {"test": ["x"]}}}
            """)
        XCTAssertThrowsError(try Manifest.load(path: top)) {
            XCTAssertEqual("\($0)", top + ": line 1: key 'name' is given twice in one object")
        }
        let item = try writeText("""
            {"format": "segad-manifest", "version": 1, "name": "a",
             "items": [{"id": "x", "label": "good", "maps": {"id": "m.npy"}},
                       {"id": "y", "label": "good", "id": "z"}],
             "seeds": {"0": {"test": ["x"]}}}
            """, "item.json")
        XCTAssertThrowsError(try Manifest.load(path: item)) {
            XCTAssertEqual("\($0)", item + ": line 3: key 'id' is given twice in one object")
        }
        // The same name in different objects, and as a value, is no repeat.
        let ok = try writeText("""
            {"format": "segad-manifest", "version": 1, "name": "id",
             "items": [{"id": "id", "label": "good", "maps": {"id": "id"}}, {"id": "b", "label": "bad"}],
             "seeds": {"0": {"test": ["id"], "segad-train": ["b"]}, "1": {"test": ["b"]}}}
            """, "ok.json")
        XCTAssertEqual(try Manifest.load(path: ok).items.map(\.id), ["id", "b"])
    }

    func testTopLevelNotAnObject() throws {
        let path = try writeText("[1, 2]")
        XCTAssertThrowsError(try Manifest.load(path: path)) {
            XCTAssertEqual("\($0)", path + ": manifest must be a JSON object")
        }
    }

    // MARK: Ids, seeds and roles

    func testDuplicateIds() throws {
        XCTAssertEqual(try refusal(editItem(2) { $0["id"] = "g1" }), "duplicate id 'g1' (items 1 and 2)")
    }

    func testIdWithNULOrTooLong() throws {
        let nul = try refusal(editItem(0) { $0["id"] = "a\u{0}b" })
        XCTAssertTrue(nul.hasPrefix("item 0: id 'a") && nul.hasSuffix("b' holds the control character U+0000; ids must be printable"), nul)
        let long = String(repeating: "x", count: 201)
        XCTAssertEqual(try refusal(editItem(0) { $0["id"] = long }),
                       "item 0: id '\(String(repeating: "x", count: 60))…' is 201 bytes long; ids are at most 200 bytes")
    }

    func testBadSeedKeys() throws {
        for key in ["07", "+7", " 7", "-1", "4294967296", "seven"] {
            XCTAssertEqual(try refusal { $0["seeds"] = [key: ["test": ["g0"]]] },
                           "seed '\(key)' is not a canonical integer in 0…4294967295 (write 7, not 07 or +7)", key)
        }
        XCTAssertEqual(try Manifest.load(path: try write({ var o = Self.goodObject()
            o["seeds"] = ["4294967295": ["test": ["g0"]]]; return o }())).seedList, [4_294_967_295])
    }

    func testSplitRules() throws {
        XCTAssertEqual(try refusal { $0["seeds"] = ["1": ["test": ["nope"]]] }, "seed 1: 'test' names unknown id 'nope'")
        XCTAssertEqual(try refusal { $0["seeds"] = ["1": ["test": ["g0", "g0"]]] }, "seed 1: id 'g0' twice in 'test'")
        XCTAssertEqual(try refusal { $0["seeds"] = ["1": ["segad-train": ["u0"]]] },
                       "seed 1: 'segad-train' has 'u0' labelled uncertain")
        XCTAssertEqual(try refusal { $0["seeds"] = ["1": ["detector-train": ["b0"]]] },
                       "seed 1: 'detector-train' has 'b0' labelled bad")
        XCTAssertEqual(try refusal { $0["seeds"] = ["1": ["classifier-train": ["b0"], "test": ["b0"]]] },
                       "seed 1: 'b0' is both in 'classifier-train' and in 'test'")
        XCTAssertEqual(try refusal { $0["seeds"] = ["1": ["segad-train": ["g1"], "test": ["g1"]]] },
                       "seed 1: 'g1' is both in 'segad-train' and in 'test'")
    }

    // MARK: Files that are not manifests

    func testNotJSONEmptyAndMissing() throws {
        let broken = try writeText("{\"format\": \"segad-manifest\", \"items\": [\n", "broken.json")
        XCTAssertThrowsError(try Manifest.load(path: broken)) {
            XCTAssertEqual("\($0)", broken + ": not valid JSON (Unexpected end of file during JSON parse.)")
        }
        // Stricter than JSONDecoder: a leading zero is not JSON.
        var object = Self.goodObject()
        object["version"] = 1
        let text = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
            .replacingOccurrences(of: "\"version\":1", with: "\"version\":01")
        let zero = try writeText(text, "zero.json")
        XCTAssertThrowsError(try Manifest.load(path: zero)) { XCTAssertTrue("\($0)".hasPrefix(zero + ": not valid JSON ("), "\($0)") }
        let empty = try writeText("", "empty.json")
        XCTAssertThrowsError(try Manifest.load(path: empty)) {
            XCTAssertEqual("\($0)", empty + ": empty file; expected a JSON manifest")
        }
        XCTAssertThrowsError(try Manifest.load(path: dir + "/none.json")) {
            XCTAssertEqual("\($0)", dir + "/none.json: no such file")
        }
    }
}
