import Foundation
import SegAD
import SegADNative
import XCTest
import _TestSupport

/// Fuzzing the artifact gate (docs/reliability.md, "One artifact gate"):
/// the readers of the five artifact kinds a user may be handed — pipeline,
/// detector state, maps, features — and XGBoost's model JSON. The seeds
/// are real small artifacts (`GoldenPipelineFixture`: golden template at
/// 16×16, two segments). Each input is a seed changed structurally, through
/// the project's own HDF5 writer — its configuration JSON edited (numbers
/// set to boundary values, keys, types, nesting), a dataset's shape,
/// values, type or presence changed, a string replaced, the kind or format
/// attribute changed — and, for a third of the inputs, then byte-mutated
/// as a file. The reader (and what a stage does next: restore the
/// detectors, apply them, load and run the model, read every map) must
/// accept the input or refuse it with a one-line `SegADFault`, within a
/// second and the memory caps of `fuzz`.
///
/// Debug runs try `artifactCount` inputs per kind (120); `SEGAD_FUZZ_COUNT`
/// sets both counts (`scripts/reliability/fuzz.sh`).
extension FuzzTests {
    static let artifactCount = Int(environment["SEGAD_FUZZ_COUNT"] ?? "") ?? 120
    /// `SEGAD_FUZZ_ARTIFACT_BYTES=0` leaves out the byte mutations of the
    /// written files: libhdf5 1.10's global-heap reader trusts the heap
    /// references of variable-length strings, and a byte-mutated one can
    /// crash it (docs/reliability.md, "One artifact gate", what is left).
    static let artifactBytes = environment["SEGAD_FUZZ_ARTIFACT_BYTES"] != "0"

    nonisolated(unsafe) private static var artifactFixture: GoldenPipelineFixture?

    private func artifactSeeds() throws -> GoldenPipelineFixture {
        if let f = Self.artifactFixture { return f }
        // Built through a holder that never runs, so its folder lives for
        // the whole run (the fixture is small; it goes with the temp dir).
        let f = try GoldenPipelineFixture(XCTestCase(name: "fixture", testClosure: { _ in }))
        Self.artifactFixture = f
        return f
    }

    func testPipelineArtifactUnderMutation() throws {
        let f = try artifactSeeds()
        try fuzzArtifact("pipeline", seed: f.pipeline) { path in
            let scorer = try PipelineScorer(path: path)
            let image = try scorer.load(path: f.newImages + "/scratch-1.png")
            do { _ = try scorer.score([image]) } catch let e as XGBoostError { throw InputError(path, e.description) }
        }
    }

    func testDetectorStateArtifactUnderMutation() throws {
        let f = try artifactSeeds()
        try fuzzArtifact("state", seed: f.state) { path in
            let state = try DetectorStateArtifact(path: path)
            let detector = try state.detector()
            let image = try PipelineImage.load(path: f.newImages + "/scratch-1.png", size: state.size, channels: 1)
            _ = try detector.apply([image], progress: nil)
        }
    }

    func testMapsArtifactUnderMutation() throws {
        let f = try artifactSeeds()
        try fuzzArtifact("maps", seed: f.maps) { path in
            let maps = try MapsArtifact(path: path)
            var buffer = [Float](repeating: 0, count: maps.count * maps.pixelsPerMap)
            try buffer.withUnsafeMutableBufferPointer { try maps.readMaps(0, count: maps.count, into: $0) }
        }
    }

    func testFeaturesArtifactUnderMutation() throws {
        let f = try artifactSeeds()
        try fuzzArtifact("features", seed: f.features) { path in
            let features = try FeaturesArtifact(path: path)
            _ = features.matrix(rows: Array(0 ..< features.rowCount))
        }
    }

    /// The model JSON itself, mutated as text (the HDF5 container is
    /// covered by the kinds above): numbers, keys, types and nesting of
    /// XGBoost's JSON; child and split indices most of all.
    func testModelJSONUnderMutation() throws {
        let f = try artifactSeeds()
        let small = try ModelArtifact(path: f.model).json
        let deep = try Self.deeperModel()
        try fuzz("model-json", seeds: [Array(small.utf8), Array(deep.utf8)], count: Self.artifactCount,
                 fieldEdit: { b, rng in rng.next() % 2 == 0 ? Mutator.editJSON(&b, &rng) : Self.editTreeIndex(&b, &rng) }) { input, _ in
            let json = String(decoding: input, as: UTF8.self)
            let booster = try XGBBooster(json: json, source: "fuzz.json", limits: Bounds.xgboostModel)
            // As many columns as the model declares (a stage gives as many as its feature names).
            let columns = min(max(Self.declaredFeatures(json) ?? 1, 1), 4096)
            let matrix = try XGBDMatrix(values: (0 ..< 4 * columns).map { Float($0 % 3) }, rows: 4, columns: columns)
            do {
                _ = try booster.predictMargins(matrix)
                _ = try booster.contributions(matrix)
            } catch let e as XGBoostError {
                throw InputError("fuzz.json", e.description)
            }
        }
    }

    /// Sets one entry of a tree's index arrays (children, parents, split
    /// features) to another node's index, its own, −1 or a boundary number.
    static func editTreeIndex(_ b: inout [UInt8], _ rng: inout SplitMix64) {
        let keys = ["\"left_children\":[", "\"right_children\":[", "\"parents\":[", "\"split_indices\":[",
                    "\"num_nodes\":\"", "\"num_feature\":\""]
        let key = Array(keys[Int(rng.next() % UInt64(keys.count))].utf8)
        var starts: [Int] = []
        var i = 0
        while i + key.count <= b.count {
            if b[i] == key[0], Array(b[i ..< i + key.count]) == key { starts.append(i + key.count) }
            i += 1
        }
        guard !starts.isEmpty else { return }
        var p = starts[Int(rng.next() % UInt64(starts.count))]
        // Skip to a random entry of the array.
        for _ in 0 ..< Int(rng.next() % 8) {
            guard let comma = b[p...].firstIndex(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "]") }),
                  b[comma] == UInt8(ascii: ",") else { break }
            p = comma + 1
        }
        var e = p
        while e < b.count, b[e] == UInt8(ascii: "-") || (b[e] >= 0x30 && b[e] <= 0x39) { e += 1 }
        let values = ["0", "1", "2", "3", "-1", "-2", "7", "99", "2147483647", "4294967295", "-2147483648",
                      "9223372036854775807"]
        b.replaceSubrange(p ..< e, with: Array(values[Int(rng.next() % UInt64(values.count))].utf8))
    }

    static func declaredFeatures(_ json: String) -> Int? {
        let root = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]
        let parameters = (root?["learner"] as? [String: Any])?["learner_model_param"] as? [String: Any]
        return (parameters?["num_feature"] as? String).flatMap { Int($0) }
    }

    /// A model of 4 rounds × 2 trees of depth ≤ 3 on 3 features (splits to mutate).
    static func deeperModel() throws -> String {
        let rows = 60
        let values = (0 ..< rows * 3).map { Float(($0 * 37) % 17) / 17 }
        let matrix = try XGBDMatrix(values: values, rows: rows, columns: 3)
        try matrix.setLabels((0 ..< rows).map { values[$0 * 3] + values[$0 * 3 + 1] > 1 ? 1 : 0 })
        let booster = try XGBBooster(training: matrix)
        for (name, value) in [("objective", "binary:logitraw"), ("max_depth", "3"), ("num_parallel_tree", "2"),
                              ("nthread", "1"), ("verbosity", "0"), ("seed", "0")] {
            try booster.setParameter(name, value)
        }
        for i in 0 ..< 4 { try booster.updateOneIteration(i, matrix) }
        return try booster.jsonModel()
    }

    // MARK: The loop

    /// Runs `body` on `artifactCount` structurally mutated copies of the
    /// artifact at `seed`, each written by the project's writer to a scratch
    /// file (and a third of them then byte-mutated).
    @discardableResult
    func fuzzArtifact(_ name: String, seed: String, body: (String) throws -> Void) throws -> Figures {
        let snapshot = try ArtifactSnapshot(path: seed)
        let path = try scratchFile("\(name).h5")
        try snapshot.write(to: path)
        let seedBytes = try Self.bytes(path)
        return try fuzz(name, seeds: [seedBytes], count: Self.artifactCount, generate: { rng in
            var copy = snapshot
            for _ in 0 ..< 1 + Int(rng.next() % 3) { copy.mutate(&rng) }
            unlink(path)
            // The writer may refuse a mutation (a shape it cannot store): no input this time.
            guard (try? copy.write(to: path)) != nil else { return nil }
            var bytes = try Self.bytes(path)
            if rng.next() % 3 == 0 && Self.artifactBytes {
                for _ in 0 ..< 1 + Int(rng.next() % 3) { Mutator.mutate(&bytes, &rng, fieldEdit: { _, _ in }) }
            }
            return bytes
        }, fieldEdit: { _, _ in }) { input, _ in
            try Self.write(input, to: path)
            try body(path)
        }
    }
}

/// An artifact's attributes and datasets in memory, mutated structurally
/// and written back with `HDF5File`'s writer.
struct ArtifactSnapshot {
    enum Values {
        case floats([Float], [Int])
        case doubles([Double], [Int])
        /// `width`: the stored integer's bytes (1, 4 or 8).
        case integers([Int64], [Int], width: Int)
        case strings([String])
    }

    var intAttributes: [(String, Int)] = []
    var stringAttributes: [(String, String)] = []
    var datasets: [(name: String, values: Values)] = []

    init(path: String) throws {
        // Names and stored types from h5py; values through the project's reader.
        let script = """
            import sys, h5py
            with h5py.File(sys.argv[1], "r") as h:
                h.visititems(lambda n, o: print(n, o.dtype.kind, o.dtype.itemsize) if isinstance(o, h5py.Dataset) else None)
                for k, v in h.attrs.items(): print("@" + k, "i" if isinstance(v, (int,)) or getattr(v, "dtype", None) is not None and v.dtype.kind == "i" else "S", 0)
            """
        let r = try ToolRunner.run("python3", ["-c", script, path])
        guard r.status == 0 else { throw InputError(path, r.stderr) }
        let file = try HDF5File(path: path, mode: .readOnly)
        for line in r.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ").map(String.init)
            guard parts.count == 3 else { continue }
            let (name, kind, size) = (parts[0], parts[1], Int(parts[2]) ?? 0)
            if name.hasPrefix("@") {
                let attribute = String(name.dropFirst())
                if kind == "i" { intAttributes.append((attribute, try file.intAttribute(attribute))) }
                else { stringAttributes.append((attribute, try file.stringAttribute(attribute))) }
                continue
            }
            switch kind {
            case "f" where size == 8:
                let (v, s) = try file.readDoubles(name); datasets.append((name, .doubles(v, s)))
            case "f":
                let (v, s) = try file.readFloats(name); datasets.append((name, .floats(v, s)))
            case "i", "u":
                let (v, s) = try file.readInt64s(name); datasets.append((name, .integers(v, s, width: size)))
            default:
                datasets.append((name, .strings(try file.readStrings(name))))
            }
        }
    }

    func write(to path: String) throws {
        let file = try HDF5File(path: path, mode: .create)
        for (name, value) in intAttributes { try file.setAttribute(name, int: value) }
        for (name, value) in stringAttributes { try file.setAttribute(name, string: value) }
        for (name, values) in datasets {
            switch values {
            case .floats(let v, let s): try file.write(name, floats: v, shape: s)
            case .doubles(let v, let s): try file.write(name, doubles: v, shape: s)
            case .integers(let v, let s, let width):
                switch width {
                case 1: try file.write(name, int8s: v.map { Int8(truncatingIfNeeded: $0) }, shape: s)
                case 4: try file.write(name, int32s: v.map { Int32(truncatingIfNeeded: $0) }, shape: s)
                default: try file.write(name, int64s: v, shape: s)
                }
            case .strings(let v): try file.write(name, strings: v)
            }
        }
        try file.flushAndClose()
    }

    nonisolated(unsafe) static let boundaryNumbers: [Any] = [0, -1, 1, 2, 3, 702, 703, 8192, 8193, 20000, 1_000_000_000, -5, 0.5, 1e9, -1e9,
                                         1e30, Int.max, Int.min, "nan", "inf", "-inf", "1e9", "-1", "0", "", "x"]
    static let boundaryFloats: [Float] = [0, -1, 1, 702, 703, 1e9, -1e9, .nan, .infinity, -.infinity, 1e30, 65536, 0.5]
    static let boundaryStrings = ["", "a", "golden", "padim", "patchcore", "\u{0}", "x\ny", String(repeating: "z", count: 300),
                                  "=1+1", "a,b", "../x", "ß✓"]

    /// One structural mutation.
    mutating func mutate(_ rng: inout SplitMix64) {
        func at(_ n: Int) -> Int { n <= 0 ? 0 : Int(rng.next() % UInt64(n)) }
        switch rng.next() % 8 {
        case 0, 1:  // the configuration JSON: a leaf set to a boundary value
            guard let i = stringAttributes.firstIndex(where: { $0.0 == "segad_config" }),
                  var object = try? JSONSerialization.jsonObject(with: Data(stringAttributes[i].1.utf8)) else { return }
            Self.setLeaf(&object, Self.boundaryNumbers[at(Self.boundaryNumbers.count)], &rng)
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                stringAttributes[i].1 = String(decoding: data, as: UTF8.self)
            }
        case 2:  // the configuration or another string attribute as text
            guard !stringAttributes.isEmpty else { return }
            let i = at(stringAttributes.count)
            var bytes = Array(stringAttributes[i].1.utf8)
            Mutator.editJSON(&bytes, &rng)
            stringAttributes[i].1 = String(decoding: bytes, as: UTF8.self)
        case 3:  // a dataset's shape
            guard !datasets.isEmpty else { return }
            let i = at(datasets.count)
            datasets[i].values = Self.reshaped(datasets[i].values, &rng)
        case 4, 5:  // a dataset's values
            guard !datasets.isEmpty else { return }
            let i = at(datasets.count)
            datasets[i].values = Self.revalued(datasets[i].values, &rng)
        case 6:  // a dataset dropped, or moved under another dataset's name
            guard !datasets.isEmpty else { return }
            let i = at(datasets.count)
            if rng.next() % 2 == 0 { datasets.remove(at: i) } else {
                let j = at(datasets.count)
                datasets[i].values = datasets[j].values
            }
        default:  // the kind or the format version
            if rng.next() % 2 == 0, let i = stringAttributes.firstIndex(where: { $0.0 == "segad_kind" }) {
                stringAttributes[i].1 = ["maps", "features", "model", "scores", "detector-state", "pipeline", "x"][at(7)]
            } else if let i = intAttributes.firstIndex(where: { $0.0 == "segad_format_version" }) {
                intAttributes[i].1 = [0, 1, 2, -1, Int.max][at(5)]
            }
        }
    }

    /// Sets a random leaf (a number, string or boolean) of a JSON value.
    static func setLeaf(_ value: inout Any, _ new: Any, _ rng: inout SplitMix64) {
        if var object = value as? [String: Any], !object.isEmpty {
            let keys = object.keys.sorted()
            let key = keys[Int(rng.next() % UInt64(keys.count))]
            var child = object[key]!
            setLeaf(&child, new, &rng)
            object[key] = child
            value = object
        } else if var array = value as? [Any], !array.isEmpty {
            let i = Int(rng.next() % UInt64(array.count))
            if rng.next() % 8 == 0 { array.append(array[i]) } else {  // a duplicated entry (a detector twice)
                var child = array[i]
                setLeaf(&child, new, &rng)
                array[i] = child
            }
            value = array
        } else {
            value = new
        }
    }

    static func newShape(_ shape: [Int], count: Int, _ rng: inout SplitMix64) -> [Int] {
        guard !shape.isEmpty else { return [2] }
        var s = shape
        switch rng.next() % 5 {
        case 0: s[0] = max(0, s[0] - 1)
        case 1: s[0] += 1
        case 2: s.reverse()
        case 3: s = [s.reduce(1, *)]
        default: s = [1] + s
        }
        return s
    }

    static func resized<T>(_ v: [T], to count: Int, fill: T) -> [T] {
        count <= v.count ? Array(v.prefix(count)) : v + [T](repeating: fill, count: count - v.count)
    }

    static func reshaped(_ values: Values, _ rng: inout SplitMix64) -> Values {
        switch values {
        case .floats(let v, let s):
            let shape = newShape(s, count: v.count, &rng)
            return .floats(resized(v, to: shape.reduce(1, *), fill: boundaryFloats[Int(rng.next() % 13)]), shape)
        case .doubles(let v, let s):
            let shape = newShape(s, count: v.count, &rng)
            return .doubles(resized(v, to: shape.reduce(1, *), fill: .nan), shape)
        case .integers(let v, let s, let width):
            let shape = newShape(s, count: v.count, &rng)
            return .integers(resized(v, to: shape.reduce(1, *), fill: 703), shape, width: width)
        case .strings(let v):
            return .strings(rng.next() % 2 == 0 ? Array(v.dropLast()) : v + [v.last ?? "x"])
        }
    }

    static func revalued(_ values: Values, _ rng: inout SplitMix64) -> Values {
        func at(_ n: Int) -> Int { n <= 0 ? 0 : Int(rng.next() % UInt64(n)) }
        switch values {
        case .floats(var v, let s):
            guard !v.isEmpty else { return values }
            for _ in 0 ... at(4) { v[at(v.count)] = boundaryFloats[at(boundaryFloats.count)] }
            return .floats(v, s)
        case .doubles(var v, let s):
            guard !v.isEmpty else { return values }
            v[at(v.count)] = Double(boundaryFloats[at(boundaryFloats.count)])
            return .doubles(v, s)
        case .integers(var v, let s, let width):
            guard !v.isEmpty else { return values }
            v[at(v.count)] = [0, -1, -2, -3, 1, 2, 3, 127, -128, 703, Int64(Int32.max), Int64.min][at(12)]
            return .integers(v, s, width: width)
        case .strings(var v):
            guard !v.isEmpty else { return .strings([boundaryStrings[at(boundaryStrings.count)]]) }
            if rng.next() % 2 == 0, let json = try? JSONSerialization.jsonObject(with: Data(v[0].utf8)) {
                // A model JSON (or another JSON string): a leaf set to a boundary value.
                var object = json
                setLeaf(&object, boundaryNumbers[at(boundaryNumbers.count)], &rng)
                if let data = try? JSONSerialization.data(withJSONObject: object) { v[0] = String(decoding: data, as: UTF8.self) }
            } else {
                v[at(v.count)] = rng.next() % 3 == 0 ? v[at(v.count)] : boundaryStrings[at(boundaryStrings.count)]
            }
            return .strings(v)
        }
    }
}
