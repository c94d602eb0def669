import Foundation
import SegADNative
import SegADKernels
import SegADCore

/// The manifest of a user's own images (`build-dataset images-manifest`): from
/// a folder with `good/`, `bad/` and optionally `uncertain/` (each searched
/// recursively), or from a CSV of `path,label` lines.
///
/// The rule (docs/manifest.md, "A manifest from a folder of images"):
/// - items: every file with an image extension (.png .jpg .jpeg .tif .tiff,
///   any case): good, then bad, then uncertain, each sorted by relative path
///   (a CSV's rows are ordered the same way); other files are skipped and
///   listed once. The id is the relative path without its extension, `/` replaced
///   by `_` (`good/line 2/a.jpg` → `good_line 2_a`): unique, a valid file
///   name, at most 200 bytes, no control characters.
/// - split (docs/manifest.md, "The split"): each image's role is a function
///   of its id and the seed alone, so adding images never moves an earlier
///   one. A good image is in the detector pool (`detector-train` in every
///   seed) when unit("pool:POOLSEED:ID") < poolFraction, or, given a pool
///   file (`--pool`, `ImagesPool`), when the file lists it; in seed s, every
///   other good image and every bad image is `test` when unit("s:ID") <
///   testFraction, else `segad-train`, where unit(key) is the first 8 bytes of
///   SHA-256(key) as a fraction of 2^64. Each role lists good, then bad, in id
///   order; `test` ends with every uncertain item (id order). A role left
///   empty in some seed is refused with one line. A CSV's optional `split`
///   column (pool, train, test) fixes a row's role in every seed instead.
/// ELPV, VAD and VisA keep their reference protocols (ELPVManifest.split).
public enum ImagesManifest {
    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "tif", "tiff"]
    public static let maxIdBytes = 200

    public struct Options {
        /// The folder holding good/, bad/ and optionally uncertain/.
        public var folder: String?
        /// A CSV of `path,label` (label good, bad or uncertain; paths relative
        /// to the CSV's folder), instead of a folder.
        public var csv: String?
        public var output: String
        public var name: String?
        public var seeds: [Int]
        public var poolFraction: Double
        public var testFraction: Double
        public var poolSeed: Int
        /// A pool file (`ImagesPool`) whose ids are the detector pool, kept
        /// while it exists; nil: drawn by the hash rule.
        public var poolFile: String?
        /// The fewest pool images the detectors fit on (PaDiM and DFM: 2).
        public var minimumPool: Int
        /// The regime `make images` chose from the bad images' count (docs/regimes.md).
        public var regime: ImagesRegime
        public init(folder: String? = nil, csv: String? = nil, output: String, name: String? = nil,
                    seeds: [Int] = [0, 1, 2, 3, 4], poolFraction: Double = 0.4, testFraction: Double = 0.5,
                    poolSeed: Int = 0, poolFile: String? = nil, minimumPool: Int = 1, regime: ImagesRegime = .supervised) {
            self.folder = folder; self.csv = csv; self.output = output; self.name = name; self.seeds = seeds
            self.poolFraction = poolFraction; self.testFraction = testFraction; self.poolSeed = poolSeed
            self.poolFile = poolFile; self.minimumPool = minimumPool; self.regime = regime
        }
    }

    /// One image found: its path as the manifest will name it (absolute or
    /// relative to the working directory), its path relative to the folder
    /// or CSV (for the id) and its label.
    public struct Entry: Equatable, Sendable {
        public var path: String
        public var relative: String
        public var label: Label
        /// A CSV row's `split` column: its role in every seed (nil: by hash).
        public var split: FixedRole? = nil
    }

    /// A role fixed in every seed by a CSV's `split` column.
    public enum FixedRole: String, Sendable {
        /// The detector pool (`detector-train`); good images only.
        case pool
        /// `segad-train`; good or bad images.
        case train
        /// `test`.
        case test
    }

    /// The id of a relative path: the path without its extension, `/` → `_`.
    /// `source` names the file in errors.
    public static func id(relative: String, source: String) throws -> String {
        if relative.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            let shown = String(source.unicodeScalars.map { $0.properties.generalCategory == .control
                ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined())
            throw ImagesManifestError.controlCharacter(shown)
        }
        let base = (relative as NSString).deletingPathExtension
        let id = base.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "_")
        guard !id.isEmpty, id != ".", id != ".." else { throw ImagesManifestError.emptyId(source) }
        guard id.utf8.count <= maxIdBytes else {
            throw ImagesManifestError.pathTooLong(source, maxBytes: maxIdBytes)
        }
        return id
    }

    static func isImage(_ name: String) -> Bool {
        imageExtensions.contains((name as NSString).pathExtension.lowercased())
    }

    /// The images under DIR/good, DIR/bad, DIR/uncertain (recursively,
    /// sorted by relative path) and the files skipped for their extension.
    public static func scan(folder: String, badOptional: Bool = false) throws -> (entries: [Entry], skipped: [String]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ImagesManifestError.noSuchFolder(folder)
        }
        var entries: [Entry] = []
        var skipped: [String] = []
        for label in [Label.good, .bad, .uncertain] {
            let sub = (folder as NSString).appendingPathComponent(label.rawValue)
            var subIsDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: sub, isDirectory: &subIsDirectory), subIsDirectory.boolValue else {
                if label == .uncertain || (label == .bad && badOptional) { continue }
                throw ImagesManifestError.noSuchSubfolder(sub, label: label.rawValue)
            }
            var files: [String] = []
            try collect(folder: sub, prefix: "", walking: [realPath(sub)], into: &files)
            for name in files.sorted() {
                let relative = label.rawValue + "/" + name
                if isImage(name) {
                    entries.append(Entry(path: (sub as NSString).appendingPathComponent(name), relative: relative, label: label))
                } else {
                    skipped.append(relative)
                }
            }
        }
        return (entries, skipped)
    }

    /// The files under `folder` (relative names after `prefix`), hidden files
    /// and folders (.DS_Store, .git) left out. A symbolic link to a folder is
    /// followed, as the folder stamp of `make images` follows it
    /// (docs/reliability.md, 7.1), unless it leads back into a folder being
    /// walked (`walking`: real paths); a broken link is left out here and
    /// named by the stamp.
    static func collect(folder: String, prefix: String, walking: Set<String>, into files: inout [String]) throws {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { throw ImagesManifestError.cannotList(folder) }
        while let name = walker.nextObject() as? String {
            let last = (name as NSString).lastPathComponent
            let type = walker.fileAttributes?[.type] as? FileAttributeType
            if last.hasPrefix(".") {
                if type == .typeDirectory { walker.skipDescendants() }
                continue
            }
            let full = (folder as NSString).appendingPathComponent(name)
            var d: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &d) else { continue }
            if !d.boolValue {
                files.append(prefix + name)
            } else if type == .typeSymbolicLink {
                let target = realPath(full)
                let parent = realPath((full as NSString).deletingLastPathComponent)
                if walking.contains(target) || parent == target || parent.hasPrefix(target + "/") { continue }
                // The enumerator does not descend into a link given as its root: walk the target.
                try collect(folder: target, prefix: prefix + name + "/", walking: walking.union([target]), into: &files)
            }
        }
    }

    /// `path` with every symbolic link and `.`/`..` resolved (itself if it cannot be).
    static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The images of a CSV of `path,label[,split]` lines (an optional
    /// `path,label` or `path,label,split` header; paths relative to the CSV's
    /// folder), read with `CSV`: a path holding a comma or a quote is quoted,
    /// and an unquoted path may still hold commas (the label is the last
    /// field, or the one before a split: pool, train, test or empty). Every
    /// fault names the line: an unknown label or split, a split the label
    /// cannot take, a path listed twice, a missing file.
    public static func read(csv: String) throws -> [Entry] {
        let folder = (csv as NSString).deletingLastPathComponent
        let labels: Set<String> = ["good", "bad", "uncertain"]
        var entries: [Entry] = []
        var firstLine: [String: Int] = [:]
        var splitColumn = false
        for (n, record) in try CSV.read(path: csv).enumerated() {
            let line = record.line
            let trimmed = record.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            if n == 0 && (trimmed == ["path", "label"] || trimmed == ["path", "label", "split"]) {
                splitColumn = trimmed.count == 3
                continue
            }
            guard record.fields.count >= 2 else {
                if trimmed[0].isEmpty { continue }
                throw ImagesManifestError.badLine(csv, line: line)
            }
            var fields = record.fields
            var splitText: String? = nil
            // The split column: declared by the header, else a last field
            // that is no label after one that is.
            if splitColumn || (fields.count >= 3 && !labels.contains(trimmed[trimmed.count - 1]) && labels.contains(trimmed[trimmed.count - 2])) {
                guard fields.count >= 3 else { throw ImagesManifestError.badLine(csv, line: line) }
                splitText = trimmed[trimmed.count - 1]
                fields.removeLast()
            }
            let path = CSV.untext(fields.dropLast().joined(separator: ",").trimmingCharacters(in: .whitespaces))
            let labelText = fields.last!.trimmingCharacters(in: .whitespaces).lowercased()
            guard let label = Label(rawValue: labelText), label != .unknown else {
                throw ImagesManifestError.badLabel(csv, line: line, label: labelText)
            }
            var split: FixedRole? = nil
            if let splitText, !splitText.isEmpty {
                guard let role = FixedRole(rawValue: splitText) else { throw ImagesManifestError.badSplit(csv, line: line, split: splitText) }
                let allowed: Set<Label> = role == .pool ? [.good] : role == .train ? [.good, .bad] : [.good, .bad, .uncertain]
                guard allowed.contains(label) else {
                    throw ImagesManifestError.splitForLabel(csv, line: line, split: splitText, label: label.rawValue)
                }
                split = role
            }
            guard !path.isEmpty else { throw ImagesManifestError.emptyPath(csv, line: line) }
            let full = path.hasPrefix("/") || folder.isEmpty ? path : (folder as NSString).appendingPathComponent(path)
            let key = (full as NSString).standardizingPath
            if let first = firstLine[key] {
                throw ImagesManifestError.duplicatePath(csv, line: line, path: path, firstLine: first)
            }
            firstLine[key] = line
            guard FileManager.default.fileExists(atPath: full) else {
                throw ImagesManifestError.imageMissing(csv, line: line, path: path, lookedFor: full)
            }
            guard isImage(path) else {
                throw ImagesManifestError.noImageExtension(csv, line: line, path: path)
            }
            let relative = path.hasPrefix("/") ? String(path.dropFirst()) : path
            entries.append(Entry(path: full, relative: relative, label: label, split: split))
        }
        guard !entries.isEmpty else { throw ImagesManifestError.noRows(csv) }
        return entries
    }

    /// The roles of every seed (see the type's comment for the rule): `pool`
    /// is the detector pool (good ids in item order), `expectedPool` the
    /// size the checks assume (a fresh draw: the fraction's share of the good
    /// images; a kept pool: its size), `fixed` a CSV's split column.
    /// `source` names the folder or CSV in errors.
    public static func split(good: [String], bad: [String], uncertain: [String], seeds: [Int],
                             pool: [String], expectedPool: Int, poolFraction: Double, testFraction: Double,
                             fixed: [String: FixedRole] = [:], minimumPool: Int = 1,
                             source: (good: String, bad: String)) throws -> [Int: [Manifest.Role: [String]]] {
        guard !good.isEmpty else { throw ImagesManifestError.noImages(source.good, label: "good") }
        guard !bad.isEmpty else { throw ImagesManifestError.noImages(source.bad, label: "bad") }
        let rest = good.count - expectedPool
        func testCount(_ n: Int) -> Int { Int((testFraction * Double(n) - 1e-9).rounded(.up)) }
        guard expectedPool >= 1 else {
            throw ImagesManifestError.emptyPool(source.good, good: good.count, poolFraction: poolFraction)
        }
        guard rest >= 2, testCount(rest) >= 1, rest - testCount(rest) >= 1 else {
            throw ImagesManifestError.tooFewOutsidePool(source.good, good: good.count, rest: rest)
        }
        guard bad.count >= 2, testCount(bad.count) >= 1, bad.count - testCount(bad.count) >= 1 else {
            throw ImagesManifestError.tooFewBad(source.bad, bad: bad.count, testFraction: testFraction)
        }
        try checkPool(pool, good: good.count, poolFraction: poolFraction, minimumPool: minimumPool, source: source.good)
        let inPool = Set(pool)
        let others = good.filter { !inPool.contains($0) }

        var result: [Int: [Manifest.Role: [String]]] = [:]
        for seed in seeds {
            // Each image's role is a function of its id and the seed alone
            // (docs/manifest.md, "The split"): adding images never moves one.
            func isTest(_ id: String) -> Bool {
                fixed[id].map { $0 == .test } ?? (unit("\(seed):\(id)") < testFraction)
            }
            let gTest = others.filter(isTest), bTest = bad.filter(isTest)
            let gTrain = others.filter { !isTest($0) }, bTrain = bad.filter { !isTest($0) }
            for (ids, label, role, src) in [(gTrain, "good", "segad-train", source.good), (gTest, "good", "test", source.good),
                                            (bTrain, "bad", "segad-train", source.bad), (bTest, "bad", "test", source.bad)]
            where ids.isEmpty {
                throw ImagesManifestError.emptyRole(src, label: label, count: label == "good" ? others.count : bad.count,
                                                    seed: seed, role: role)
            }
            result[seed] = [.detectorTrain: pool, .segadTrain: gTrain + bTrain, .test: gTest + bTest + uncertain]
        }
        return result
    }

    /// The pool the detectors fit on is not empty and holds at least
    /// `minimumPool` images (every regime's split checks it).
    static func checkPool(_ pool: [String], good: Int, poolFraction: Double, minimumPool: Int, source: String) throws {
        guard !pool.isEmpty else { throw ImagesManifestError.emptyPool(source, good: good, poolFraction: poolFraction) }
        guard pool.count >= minimumPool else {
            throw ImagesManifestError.poolTooSmall(source, pool: pool.count, minimum: minimumPool)
        }
    }

    /// A key's place in [0, 1): the first 8 bytes of SHA-256(key), big-endian,
    /// over 2^64. Keys are "pool:POOLSEED:ID" and "SEED:ID".
    public static func unit(_ key: String) -> Double {
        var sha = SHA256()
        sha.update(Array(key.utf8))
        let digest = sha.finalize()
        let word = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Double(word >> 11) / Double(UInt64(1) << 53)
    }

    /// Builds the manifest; `skipped` lists the files left out for their extension.
    public static func build(_ o: Options) throws -> (manifest: Manifest, skipped: [String], pool: ImagesPool, notes: [String]) {
        guard (o.folder == nil) != (o.csv == nil) else { throw InputError("--images", "give either --images DIR or --csv FILE") }
        guard o.poolFraction > 0, o.poolFraction < 1 else { throw InputError("--pool-fraction", "must be in (0, 1)") }
        guard o.testFraction > 0, o.testFraction < 1 else { throw InputError("--test-fraction", "must be in (0, 1)") }
        guard !o.seeds.isEmpty, o.seeds.allSatisfy({ $0 >= 0 && $0 <= Int(UInt32.max) }) else {
            throw InputError("--seeds", "must list integers in 0…4294967295")
        }
        guard o.poolSeed >= 0, o.poolSeed <= Int(UInt32.max) else { throw InputError("--pool-seed", "must be in 0…4294967295") }
        guard o.minimumPool >= 1 else { throw InputError("--min-pool", "must be 1 or more") }
        let entries: [Entry], skipped: [String], source: String
        if let folder = o.folder {
            (entries, skipped) = try scan(folder: folder, badOptional: o.regime == .goodOnly)
            source = folder
        } else {
            // The folder's order: good, bad, uncertain; by relative path within each.
            let rank: [Label: Int] = [.good: 0, .bad: 1, .uncertain: 2]
            entries = try read(csv: o.csv!).sorted { (rank[$0.label]!, $0.relative) < (rank[$1.label]!, $1.relative) }
            skipped = []
            source = o.csv!
        }
        // Swift compares strings by canonical equivalence, so two names equal
        // only after Unicode normalization (NFC "é" and NFD "e" + U+0301: two
        // files on disk) meet here; they are told apart from a plain clash
        // by their bytes (docs/reliability.md, "Files, outputs and CSV cells").
        var seen: [String: (path: String, id: String)] = [:]
        var ids: [String] = []
        var fixed: [String: FixedRole] = [:]
        for e in entries {
            let id = try id(relative: e.relative, source: e.path)
            if let other = seen[id] {
                if Array(other.id.utf8) != Array(id.utf8) {
                    throw ImagesManifestError.normalizationTwins(e.path, other: other.path)
                }
                throw ImagesManifestError.sameId(e.path, id: id, other: other.path)
            }
            seen[id] = (e.path, id)
            ids.append(id)
            if let split = e.split { fixed[id] = split }
        }
        let good = zip(entries, ids).filter { $0.0.label == .good }.map(\.1)
        let bad = zip(entries, ids).filter { $0.0.label == .bad }.map(\.1)
        let uncertain = zip(entries, ids).filter { $0.0.label == .uncertain }.map(\.1)
        let sources = o.folder.map { (($0 as NSString).appendingPathComponent("good"), ($0 as NSString).appendingPathComponent("bad")) }
            ?? (o.csv! + " (good rows)", o.csv! + " (bad rows)")
        let (pool, notes, kept) = try self.pool(o, good: good, fixed: fixed)
        let expected = kept ? pool.ids.count : Int((o.poolFraction * Double(good.count) + 1e-9).rounded(.down))
        let seeds = o.regime == .supervised
            ? try split(good: good, bad: bad, uncertain: uncertain, seeds: o.seeds, pool: pool.ids, expectedPool: expected,
                        poolFraction: o.poolFraction, testFraction: o.testFraction, fixed: fixed,
                        minimumPool: o.minimumPool, source: sources)
            : try ImagesRegime.split(regime: o.regime, good: good, bad: bad, uncertain: uncertain, seeds: o.seeds,
                                     pool: pool.ids, poolFraction: o.poolFraction, testFraction: o.testFraction,
                                     fixed: fixed, minimumPool: o.minimumPool, source: sources)
        let manifestFolder = (o.output as NSString).deletingLastPathComponent
        let items = zip(entries, ids).map { e, id in
            ManifestItem(id: id, label: e.label,
                         image: e.path.hasPrefix("/") ? e.path
                             : ELPVManifest.join(ELPVManifest.relativePath(from: manifestFolder, to: (e.path as NSString).deletingLastPathComponent),
                                                 (e.path as NSString).lastPathComponent))
        }
        let name = o.name ?? (((source as NSString).standardizingPath as NSString).lastPathComponent as NSString).deletingPathExtension
        let manifest = Manifest(name: name.isEmpty ? "images" : name, className: name.isEmpty ? "images" : name, items: items,
                                seeds: seeds, root: manifestFolder.isEmpty ? "." : manifestFolder, path: o.output)
        return (manifest, skipped, pool, notes)
    }

    /// The detector pool: the pool file's ids kept (`ImagesPool.make`), or
    /// drawn by the hash rule; and what to say once about it.
    static func pool(_ o: Options, good: [String], fixed: [String: FixedRole]) throws -> (ids: ImagesPool, notes: [String], kept: Bool) {
        let previous = try o.poolFile.map { (pool: try ImagesPool.read(path: $0), path: $0) }
        let made = try ImagesPool.make(good: good, fixed: fixed, fraction: o.poolFraction, seed: o.poolSeed,
                                       previous: previous, minimum: o.minimumPool)
        let kept = previous.map { $0.pool.fraction == o.poolFraction && $0.pool.seed == o.poolSeed } ?? false
        return (made.pool, made.notes, kept)
    }

    /// Builds the manifest, says once which files were skipped, writes it
    /// atomically and reads it back through the validating loader.
    public static func write(_ o: Options) throws {
        let (manifest, skipped, _, notes) = try build(o)
        for note in notes { FileHandle.standardError.write(Data("images-manifest: \(note)\n".utf8)) }
        if !skipped.isEmpty {
            let shown = skipped.prefix(5).joined(separator: ", ") + (skipped.count > 5 ? ", …" : "")
            FileHandle.standardError.write(Data("images-manifest: skipped \(skipped.count) file\(skipped.count == 1 ? "" : "s") without an image extension (.png .jpg .jpeg .tif .tiff): \(shown)\n".utf8))
        }
        let folder = (o.output as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let seeds = manifest.seeds[manifest.seedList[0]]!
        try ELPVManifest.writeAtomically(try manifest.jsonData() + Data("\n".utf8), to: o.output)
        _ = try Manifest.load(path: o.output)
        let counts = Dictionary(grouping: manifest.items, by: \.label).mapValues(\.count)
        FileHandle.standardError.write(Data(("images-manifest: \(manifest.items.count) images (\(counts[.good] ?? 0) good, \(counts[.bad] ?? 0) bad, \(counts[.uncertain] ?? 0) uncertain); "
            + "detector pool \(seeds[.detectorTrain]!.count) good; per seed \(seeds[.segadTrain]!.count) segad-train, \(seeds[.test]!.count) test → \(o.output)\n").utf8))
    }
}

extension ImagesManifest {
    /// `build-dataset images-pool`: the detector pool of a folder or CSV
    /// (the pool file kept, or drawn), written atomically to `o.output`,
    /// what changed said once. The manifest's own checks run first, so a
    /// pool is never written for a folder the manifest would refuse.
    public static func writePool(_ o: Options) throws {
        let (manifest, _, pool, notes) = try build(o)
        for note in notes { FileHandle.standardError.write(Data("images-pool: \(note)\n".utf8)) }
        try pool.write(to: o.output)
        let good = manifest.items.filter { $0.label == .good }.count
        let how = o.poolFile != nil && notes.allSatisfy({ !$0.contains("a new detector pool") }) ? "kept from \(o.poolFile!)"
            : "drawn at pool-fraction \(o.poolFraction)"
        FileHandle.standardError.write(Data("images-pool: detector pool of \(pool.ids.count) of \(good) good images (\(how)) → \(o.output)\n".utf8))
    }
}
