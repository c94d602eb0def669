import Foundation
import SegADNative
import SegADKernels
import SegADCore

/// Manifests for the ELPV solar-cell set (PyPI `elpv-dataset`): one class per
/// cell type (mono, poly), five seeds, the split shaped like the VAD protocol.
///
/// The rule (docs/elpv.md):
/// - labels: defect probability 0 → good, 1 → bad, ⅓ and ⅔ → uncertain.
/// - detector pool, fixed across seeds: the good cells (labels.csv order)
///   permuted by `RandomState(seed: 0).permutation`; the first ⌊0.4·n_good⌋
///   are `detector-train` in every seed. (VAD refits the detectors per seed;
///   a fixed pool lets each class's maps be computed once — a cost choice.)
/// - per seed s: the remaining good cells (labels.csv order) and all bad cells
///   are each permuted with a fresh `RandomState(seed: s)`; the first
///   ⌊n/2⌋ of each permutation train SegAD, the rest are tested.
///   `segad-train` = good half, then bad half, in permutation order;
///   `test` = the other good, the other bad, then every uncertain cell
///   (labels.csv order).
///
/// Checked by numpy: `np.random.RandomState(s).permutation(n)` gives the same
/// permutations (SegADKernels' RandomState is a port of MT19937's legacy API).
public enum ELPVManifest {
    public enum CellType: String, CaseIterable, Sendable {
        case mono, poly
    }

    /// One line of labels.csv: `images/cell0001.png  1.0  mono`.
    public struct Row: Equatable, Sendable {
        public var image: String
        public var probability: Double
        public var type: CellType
        public var label: Label
        /// The image's base name without extension, e.g. `cell0001`.
        public var id: String { ((image as NSString).lastPathComponent as NSString).deletingPathExtension }
    }

    /// The share of good cells in the detector pool.
    public static let poolFraction = (numerator: 2, denominator: 5)

    /// The label of a defect probability: 0 good, 1 bad, ⅓ or ⅔ uncertain
    /// (within 1e-6, as labels.csv writes 0.3333333333333333); nil otherwise.
    public static func label(probability p: Double) -> Label? {
        if abs(p) < 1e-6 { return .good }
        if abs(p - 1) < 1e-6 { return .bad }
        if abs(p - 1.0 / 3) < 1e-6 || abs(p - 2.0 / 3) < 1e-6 { return .uncertain }
        return nil
    }

    /// Reads labels.csv (whitespace-separated `IMAGE PROBABILITY TYPE`, no
    /// header). Each fault is one `ELPVError` naming the file and line:
    /// wrong field count, a probability that is not 0/⅓/⅔/1, an unknown
    /// type, a duplicate image, and (with `checkImages`) a missing image.
    public static func readLabels(path: String, checkImages: Bool = true) throws -> [Row] {
        guard let data = try RegularFile.contents(atPath: path) else {
            throw FileManager.default.fileExists(atPath: path) ? ELPVError.cannotRead(path) : .noSuchFile(path)
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ELPVError.notUTF8(path) }
        let folder = (path as NSString).deletingLastPathComponent
        var rows: [Row] = []
        var seen: [String: Int] = [:]
        var seenIds: [String: Int] = [:]
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = n + 1
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "," })
            if fields.isEmpty { continue }
            guard fields.count == 3 else {
                throw ELPVError.fieldCount(path, line: lineNumber, found: fields.count)
            }
            let image = String(fields[0])
            guard let p = Double(fields[1]), let label = label(probability: p) else {
                throw ELPVError.probability(path, line: lineNumber, value: String(fields[1]))
            }
            guard let type = CellType(rawValue: String(fields[2])) else {
                throw ELPVError.cellType(path, line: lineNumber, value: String(fields[2]))
            }
            if let first = seen[image] {
                throw ELPVError.alreadyListed(path, line: lineNumber, image: image, first: first)
            }
            let row = Row(image: image, probability: p, type: type, label: label)
            if row.id.isEmpty { throw ELPVError.noFileName(path, line: lineNumber, image: image) }
            if let first = seenIds[row.id] {
                throw ELPVError.sameId(path, line: lineNumber, image: image, id: row.id, first: first)
            }
            seen[image] = lineNumber
            seenIds[row.id] = lineNumber
            if checkImages {
                let full = image.hasPrefix("/") ? image : (folder.isEmpty ? image : folder + "/" + image)
                guard FileManager.default.fileExists(atPath: full) else {
                    throw ELPVError.imageMissing(path, line: lineNumber, image: image, lookedFor: full)
                }
            }
            rows.append(row)
        }
        if rows.isEmpty { throw ELPVError.noRows(path) }
        return rows
    }

    /// The roles of every seed, from the good, bad and uncertain ids (each in
    /// labels.csv order). See the type's comment for the rule.
    ///
    /// - Complexity: O(seeds · n).
    public static func split(good: [String], bad: [String], uncertain: [String], seeds: [Int]) -> [Int: [Manifest.Role: [String]]] {
        var poolRandom = RandomState(seed: 0)
        let goodPermutation = poolRandom.permutation(good.count)
        let poolCount = good.count * poolFraction.numerator / poolFraction.denominator
        let pool = goodPermutation[..<poolCount].map { good[$0] }
        let inPool = Set(goodPermutation[..<poolCount])
        let rest = good.indices.filter { !inPool.contains($0) }.map { good[$0] }

        var result: [Int: [Manifest.Role: [String]]] = [:]
        for seed in seeds {
            var goodRandom = RandomState(seed: UInt32(seed))
            let g = goodRandom.permutation(rest.count).map { rest[$0] }
            var badRandom = RandomState(seed: UInt32(seed))
            let b = badRandom.permutation(bad.count).map { bad[$0] }
            let gHalf = g.count / 2, bHalf = b.count / 2
            result[seed] = [
                .detectorTrain: pool,
                .segadTrain: Array(g[..<gHalf]) + Array(b[..<bHalf]),
                .test: Array(g[gHalf...]) + Array(b[bHalf...]) + uncertain,
            ]
        }
        return result
    }

    public struct Options {
        public var labelsPath: String
        public var type: CellType
        public var seeds: [Int]
        public var output: String
        /// When set, every item names `DIR/ID.png` as its segmentation
        /// (written later by `build-dataset segment-elpv`).
        public var segmentationDirectory: String?
        public var checkImages: Bool
        public init(labelsPath: String, type: CellType, seeds: [Int], output: String,
                    segmentationDirectory: String? = nil, checkImages: Bool = true) {
            self.labelsPath = labelsPath; self.type = type; self.seeds = seeds; self.output = output
            self.segmentationDirectory = segmentationDirectory; self.checkImages = checkImages
        }
    }

    /// Builds the manifest of one cell type. Item paths are relative to the
    /// manifest's folder, so the pair (manifest, cache) can move together.
    public static func build(_ o: Options) throws -> Manifest {
        let rows = try readLabels(path: o.labelsPath, checkImages: o.checkImages).filter { $0.type == o.type }
        let good = rows.filter { $0.label == .good }.map(\.id)
        let bad = rows.filter { $0.label == .bad }.map(\.id)
        let uncertain = rows.filter { $0.label == .uncertain }.map(\.id)
        guard good.count >= 5, bad.count >= 2 else {
            throw ELPVError.tooFewCells(o.labelsPath, type: o.type.rawValue, good: good.count, bad: bad.count)
        }
        let manifestFolder = (o.output as NSString).deletingLastPathComponent
        let labelsFolder = (o.labelsPath as NSString).deletingLastPathComponent
        let toImages = relativePath(from: manifestFolder, to: labelsFolder)
        let toSegmentation = o.segmentationDirectory.map { relativePath(from: manifestFolder, to: $0) }
        let items = rows.map { row in
            ManifestItem(id: row.id, label: row.label,
                         image: row.image.hasPrefix("/") ? row.image : join(toImages, row.image),
                         segmentation: toSegmentation.map { join($0, row.id + ".png") })
        }
        let name = "elpv-\(o.type.rawValue)"
        return Manifest(name: name, className: o.type.rawValue, items: items,
                        seeds: split(good: good, bad: bad, uncertain: uncertain, seeds: o.seeds),
                        root: manifestFolder.isEmpty ? "." : manifestFolder, path: o.output)
    }

    /// Builds and writes the manifest atomically (`PATH.tmp-PID`, renamed into
    /// place), then reads it back through the validating loader.
    public static func write(_ o: Options) throws {
        let manifest = try build(o)
        let folder = (o.output as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        try writeAtomically(try manifest.jsonData() + Data("\n".utf8), to: o.output)
        _ = try Manifest.load(path: o.output)
    }

    /// Writes `data` to `PATH.tmp-PID`, flushes it and renames it to `path`
    /// (`AtomicFile`: the temporary is owned by its lock, a full disk says so).
    static func writeAtomically(_ data: Data, to path: String) throws {
        try AtomicFile.write(data, to: path)
    }

    /// The lexical path from folder `from` to `to` (both made absolute against
    /// the working directory); `to` itself when either is absolute and they
    /// share no more than the root.
    static func relativePath(from: String, to: String) -> String {
        func absolute(_ p: String) -> [String] {
            let cwd = FileManager.default.currentDirectoryPath
            let full = p.hasPrefix("/") ? p : cwd + "/" + (p.isEmpty ? "." : p)
            var parts: [String] = []
            for c in full.split(separator: "/") {
                if c == "." || c.isEmpty { continue }
                if c == ".." { _ = parts.popLast() } else { parts.append(String(c)) }
            }
            return parts
        }
        let a = absolute(from), b = absolute(to)
        var common = 0
        while common < a.count, common < b.count, a[common] == b[common] { common += 1 }
        if common == 0 { return "/" + b.joined(separator: "/") }
        let ups = Array(repeating: "..", count: a.count - common)
        let parts = ups + b[common...]
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    static func join(_ folder: String, _ name: String) -> String {
        folder == "." ? name : folder + "/" + name
    }
}
