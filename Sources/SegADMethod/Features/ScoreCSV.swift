import Foundation
import SegADNative

/// Score files: CSV with a header naming at least `id` and `score`
/// (other columns ignored). Used for an external classifier's g(I) and for
/// imported methods' scores. A NaN or infinite score is an error: it would
/// silently become a NaN feature or an undefined AUROC.
public enum ScoreCSV {
    public static func read(path: String) throws -> [String: Double] {
        guard let data = FileManager.default.contents(atPath: path) else { throw InputError(path, "no such file") }
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard !lines.isEmpty else { throw InputError(path, "empty file; expected a header 'id,score'") }
        let header = lines.removeFirst().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let idColumn = header.firstIndex(of: "id"), let scoreColumn = header.firstIndex(of: "score") else {
            throw InputError(path, "header must name columns 'id' and 'score'")
        }
        var scores: [String: Double] = [:]
        for (n, line) in lines.enumerated() where !line.isEmpty {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count > max(idColumn, scoreColumn), let score = Double(fields[scoreColumn]) else {
                throw InputError(path, "line \(n + 2): expected an id and a numeric score")
            }
            guard score.isFinite else {
                throw InputError(path, "line \(n + 2): score '\(fields[scoreColumn])' is not a finite number")
            }
            if scores.updateValue(score, forKey: fields[idColumn]) != nil {
                throw InputError(path, "line \(n + 2): duplicate id '\(fields[idColumn])'")
            }
        }
        return scores
    }
}
