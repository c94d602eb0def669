import Foundation
import ArgumentParser
import SegADCore
import SegADCLI
import SegADServe

extension Evaluate {
    struct RecordCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "record",
            abstract: "The inspection record of evaluate serve.",
            subcommands: [Export.self])

        struct Export: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Writes the record's decisions (at or after --since) as CSV, one row per decision, in time order.")

            @Option(help: "The inspection record (evaluate serve --record).") var record: String
            @Option(help: "Only decisions at or after this ISO 8601 time, e.g. 2026-12-07T21:00:00Z.") var since: String?
            @Option(name: .shortAndLong, help: "The CSV file to write.") var output: String

            func run() throws {
                StageMain.run("evaluate record export") {
                    try OutputPaths.check(outputs: [.init("-o", output)], inputs: [("--record", record)])
                    let start = try since.map { s -> Date in
                        if let d = try? Date(s, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return d }
                        if let d = try? Date(s, strategy: Date.ISO8601FormatStyle()) { return d }
                        throw ServeError.badSince(s)
                    }
                    let rows = try InspectionRecord(path: record, create: false).all(since: start)
                    var files = OutputSet(marker: output)
                    defer { files.discard() }
                    try files.data(output, Data(CSV.encode(header: InspectionRecord.columns, rows: rows.map(\.fields)).utf8))
                    try files.commit()
                    FileHandle.standardError.write(Data("record export: \(rows.count) decisions -> \(output)\n".utf8))
                }
            }
        }
    }
}
