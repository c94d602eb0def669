import Foundation
import SegADCore
import SegADNative

/// Score files: CSV with a header naming at least `id` and `score`
/// (other columns ignored; fields trimmed of spaces; quoted per RFC 4180,
/// read by `CSV`). Used for an external classifier's g(I) and for imported
/// methods' scores. A NaN or infinite score is an error: it would silently
/// become a NaN feature or an undefined AUROC.
public enum ScoreCSV {
    public static func read(path: String) throws -> [String: Double] {
        var records = try CSV.read(path: path)[...]
        guard let first = records.popFirst() else { throw ScoreFileError.empty(path) }
        let header = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let idColumn = header.firstIndex(of: "id"), let scoreColumn = header.firstIndex(of: "score") else {
            throw ScoreFileError.badHeader(path)
        }
        var scores: [String: Double] = [:]
        for record in records {
            let fields = record.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count > max(idColumn, scoreColumn), let score = Double(fields[scoreColumn]) else {
                throw ScoreFileError.badRow(path, line: record.line)
            }
            guard score.isFinite else {
                throw ScoreFileError.nonFiniteScore(path, line: record.line, score: fields[scoreColumn])
            }
            if scores.updateValue(score, forKey: CSV.untext(fields[idColumn])) != nil {
                throw ScoreFileError.duplicateId(path, line: record.line, id: fields[idColumn])
            }
        }
        return scores
    }
}
