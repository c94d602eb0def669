import Foundation
import SegADNative
import SegADCore

/// The fixed detector pool of a folder or CSV of images (docs/manifest.md,
/// "The fixed pool"): the good ids every native detector is fitted on and
/// the derived segmentation is made from, kept in a file so that a folder
/// that grows keeps its pool (and its fitted detectors).
///
/// `build-dataset images-pool` draws it once by the hash rule (a good image
/// is in the pool when unit("pool:SEED:ID") < fraction; a CSV's `split`
/// column puts a row in or keeps it out); later runs keep the file's ids:
/// new good images never join, ids whose image is gone (or no longer good,
/// or sent to train/test by the CSV's split column) are dropped, said once.
/// A changed fraction or pool seed draws a new pool. The file:
///
///     # segad detector pool: pool-fraction 0.4, pool-seed 0
///     good_a
///     good_line 2_b
///
/// (the header, then one id a line, in the manifest's item order).
public struct ImagesPool: Equatable, Sendable {
    public var fraction: Double
    public var seed: Int
    public var ids: [String]

    public init(fraction: Double, seed: Int, ids: [String]) {
        self.fraction = fraction; self.seed = seed; self.ids = ids
    }

    static let headerPrefix = "# segad detector pool: pool-fraction "

    /// The file's text (see the type's comment).
    public var text: String {
        "\(Self.headerPrefix)\(fraction), pool-seed \(seed)\n" + ids.map { $0 + "\n" }.joined()
    }

    /// Reads a pool file; a malformed one is one line naming it.
    public static func read(path: String) throws -> ImagesPool {
        guard let data = try RegularFile.contents(atPath: path) else { throw ImagesManifestError.noPoolFile(path) }
        guard let text = String(data: data, encoding: .utf8) else { throw ImagesManifestError.badPoolFile(path, line: 1) }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard let header = lines.first, header.hasPrefix(headerPrefix) else { throw ImagesManifestError.badPoolFile(path, line: 1) }
        let parts = header.dropFirst(headerPrefix.count).components(separatedBy: ", pool-seed ")
        guard parts.count == 2, let fraction = Double(parts[0]), fraction > 0, fraction < 1,
              let seed = Int(parts[1]), seed >= 0, seed <= Int(UInt32.max) else {
            throw ImagesManifestError.badPoolFile(path, line: 1)
        }
        var seen = Set<String>()
        for (i, id) in lines.enumerated().dropFirst() {
            guard !id.isEmpty, !seen.contains(id),
                  !id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw ImagesManifestError.badPoolFile(path, line: i + 1)
            }
            seen.insert(id)
        }
        return ImagesPool(fraction: fraction, seed: seed, ids: Array(lines.dropFirst()))
    }

    /// Writes the pool atomically (a temporary file renamed into place).
    public func write(to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        try ELPVManifest.writeAtomically(Data(text.utf8), to: path)
    }

    /// The pool of `good` (ids in item order): `previous` (a pool file and its
    /// path) kept if it was drawn with the same fraction and seed, else a new
    /// draw. `fixed` holds a CSV's split column. `notes` are said once by the
    /// caller. A kept pool left empty or below `minimum` is refused, asking
    /// for a new pool (REPOOL=1).
    public static func make(good: [String], fixed: [String: ImagesManifest.FixedRole], fraction: Double, seed: Int,
                            previous: (pool: ImagesPool, path: String)?, minimum: Int) throws -> (pool: ImagesPool, notes: [String]) {
        func drawn() -> [String] {
            good.filter { fixed[$0] == .pool || (fixed[$0] == nil && ImagesManifest.unit("pool:\(seed):\($0)") < fraction) }
        }
        guard let previous else { return (ImagesPool(fraction: fraction, seed: seed, ids: drawn()), []) }
        let (old, path) = previous
        guard old.fraction == fraction, old.seed == seed else {
            return (ImagesPool(fraction: fraction, seed: seed, ids: drawn()),
                    ["\(path): drawn at pool-fraction \(old.fraction), pool-seed \(old.seed); now \(fraction), \(seed): a new detector pool (every detector is fitted again)"])
        }
        let goodSet = Set(good), kept = Set(old.ids)
        let outOfPool: Set<ImagesManifest.FixedRole> = [.train, .test]
        let ids = good.filter { (kept.contains($0) && !outOfPool.contains(fixed[$0] ?? .pool)) || fixed[$0] == .pool }
        var notes: [String] = []
        func shown(_ list: [String]) -> String { list.prefix(5).joined(separator: ", ") + (list.count > 5 ? ", …" : "") }
        let gone = old.ids.filter { !goodSet.contains($0) }
        if !gone.isEmpty {
            notes.append("\(path): \(gone.count) image\(gone.count == 1 ? "" : "s") of the fixed detector pool \(gone.count == 1 ? "is" : "are") gone or no longer good, dropped from the pool: \(shown(gone))")
        }
        let moved = old.ids.filter { goodSet.contains($0) && outOfPool.contains(fixed[$0] ?? .pool) }
        if !moved.isEmpty {
            notes.append("\(path): the CSV's split column takes \(moved.count) image\(moved.count == 1 ? "" : "s") out of the fixed detector pool: \(shown(moved))")
        }
        let added = ids.filter { !kept.contains($0) }
        if !added.isEmpty {
            notes.append("\(path): the CSV's split column adds \(added.count) image\(added.count == 1 ? "" : "s") to the fixed detector pool: \(shown(added))")
        }
        guard ids.count >= max(1, minimum) else {
            throw ImagesManifestError.poolShrunk(path, was: old.ids.count, left: ids.count, minimum: max(1, minimum))
        }
        return (ImagesPool(fraction: fraction, seed: seed, ids: ids), notes)
    }
}
