import Foundation
import SegADNative
import SegADCore

/// `score-new --list FILE`: the images of a text file, one path per line
/// (UTF-8; LF or CRLF; blank lines skipped), a relative path taken from the
/// list's own folder (as a manifest's paths are). Id = the file name
/// without its extension, as for a folder; ids must be unique.
///
/// An archive is scored from such a list (`find /archive -name '*.png' >
/// list.txt`): the folder itself is never listed again by each shard.
public enum ScoreList {
    public static func read(_ path: String) throws -> [(id: String, path: String)] {
        guard let data = try RegularFile.contents(atPath: path) else {
            throw FileManager.default.fileExists(atPath: path) ? FileReadError.cannotOpen(path, reason: "not a readable file")
                                                               : FileReadError.noSuchFile(path)
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ScoreListError.notUTF8(path) }
        let folder = (path as NSString).deletingLastPathComponent
        var images: [(id: String, path: String)] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : String(raw)
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            if line.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                throw ScoreListError.controlCharacter(path, line: number + 1)
            }
            let resolved = line.hasPrefix("/") || folder.isEmpty ? line : (folder as NSString).appendingPathComponent(line)
            let name = (line as NSString).lastPathComponent
            images.append(((name as NSString).deletingPathExtension, resolved))
        }
        guard !images.isEmpty else { throw ScoreListError.empty(path) }
        return images
    }
}
