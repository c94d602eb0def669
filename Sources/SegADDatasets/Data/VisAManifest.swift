import Foundation
import SegADNative
import SegADKernels
import SegADCore

/// Builds a manifest for one VisA class from the reference's cached-map layout:
///
///     ROOT/anomaly_maps/MODEL/CLS/{df_training.csv, df_test.csv}
///     ROOT/anomaly_maps/MODEL/CLS/anomaly_maps/{good,bad}/NAME.npy
///     ROOT/visa_segm/CLS/{good,bad}/NAME.npy
///
/// The CSVs (first column an index; columns filepath, an_map_path, label,
/// prediction_an_det) of the first model define the rows; maps and label maps
/// are found by the base name of `an_map_path` under the folder that `label`
/// names (0 good, 1 bad).
///
/// The protocol, per seed (the reference's ten): 10 bad test rows move to
/// training, chosen as sklearn's `train_test_split(bad_rows,
/// test_size=n_bad-10, random_state=seed)` does — the last 10 of numpy's
/// `RandomState(seed).permutation(n_bad)`, in that order. Training rows are
/// the good training rows in file order, then those 10; test rows are the
/// good test rows, then the remaining bad rows.
public enum VisAManifest {
    public static let classes = ["candle", "capsules", "cashew", "chewinggum", "fryum", "macaroni1",
                                 "macaroni2", "pcb1", "pcb2", "pcb3", "pcb4", "pipe_fryum"]
    public static let seeds = [333, 576, 725, 823, 831, 902, 226, 598, 874, 589]
    /// Segments per class (SAM segmentation maps of the reference).
    public static func segments(_ cls: String) -> Int {
        ["pcb1": 6, "pcb2": 8, "pcb3": 8, "pcb4": 6][cls] ?? 2
    }

    public struct Options {
        public var root: String
        public var className: String
        public var models: [String]
        public var badTrainingRows = 10
        public var seeds = VisAManifest.seeds
        public var output: String
        /// Folder for each model's own image scores (`prediction_an_det`) as `MODEL.csv`.
        public var scoresOutput: String?
        public init(root: String, className: String, models: [String], output: String, scoresOutput: String? = nil) {
            self.root = root; self.className = className; self.models = models
            self.output = output; self.scoresOutput = scoresOutput
        }
    }

    struct Row { var name: String; var bad: Bool; var prediction: Double }

    public static func build(_ options: Options) throws {
        var o = options
        o.root = URL(fileURLWithPath: o.root).standardizedFileURL.path
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: o.root, isDirectory: &isDir), isDir.boolValue else {
            throw VisAError.rootNotFound(o.root)
        }
        guard let first = o.models.first else { throw InputError("MODELS", "no model given") }
        func modelDir(_ m: String) -> String { "\(o.root)/anomaly_maps/\(m)/\(o.className)" }
        for m in o.models {
            for f in ["df_training.csv", "df_test.csv"] where !fm.fileExists(atPath: modelDir(m) + "/" + f) {
                throw VisAError.missingCSV(modelDir(m) + "/" + f, model: m, className: o.className, name: f)
            }
        }
        let segmDir = "\(o.root)/visa_segm/\(o.className)"
        guard fm.fileExists(atPath: segmDir) else {
            throw VisAError.missingSegmentation(segmDir, className: o.className)
        }
        let training = try readRows(modelDir(first) + "/df_training.csv")
        let test = try readRows(modelDir(first) + "/df_test.csv")

        func item(_ row: Row, split: String) -> ManifestItem {
            let folder = row.bad ? "bad" : "good"
            var maps: [String: String] = [:]
            for m in o.models { maps[m] = "\(modelDir(m))/anomaly_maps/\(folder)/\(row.name)" }
            return ManifestItem(id: "\(split)/\(folder)/\(row.name)", label: row.bad ? .bad : .good,
                                maps: maps, segmentation: "\(segmDir)/\(folder)/\(row.name)")
        }
        let trainItems = training.map { item($0, split: "train") }
        let testItems = test.map { item($0, split: "test") }
        var seen = Set<String>()
        for it in trainItems + testItems where !seen.insert(it.id).inserted {
            throw VisAError.sameFile(modelDir(first), id: it.id)
        }
        let goodTrain = trainItems.filter { $0.label == .good }.map(\.id)
        let goodTest = testItems.filter { $0.label == .good }.map(\.id)
        let badTest = testItems.filter { $0.label == .bad }.map(\.id)
        guard badTest.count > o.badTrainingRows else {
            throw VisAError.tooFewBadRows(modelDir(first) + "/df_test.csv", bad: badTest.count, needMoreThan: o.badTrainingRows)
        }
        var seeds: [Int: [Manifest.Role: [String]]] = [:]
        for seed in o.seeds {
            let split = TrainTestSplit.split(count: badTest.count, trainCount: o.badTrainingRows, seed: UInt32(seed))
            seeds[seed] = [.segadTrain: goodTrain + split.train.map { badTest[$0] },
                           .test: goodTest + split.test.map { badTest[$0] }]
        }
        let manifest = Manifest(name: "visa-\(o.className)", className: o.className, items: trainItems + testItems,
                                seeds: seeds, root: "/", path: o.output)
        try AtomicFile.write(try manifest.jsonData(), to: o.output)

        if let dir = o.scoresOutput {
            for m in o.models {
                let rows = try readRows(modelDir(m) + "/df_test.csv")
                let csv = CSV.encode(header: ["id", "score"],
                                     rows: rows.map { [CSV.text("test/\($0.bad ? "bad" : "good")/\($0.name)"), "\($0.prediction)"] })
                try AtomicFile.write(Data(csv.utf8), to: "\(dir)/\(m).csv")
            }
        }
    }

    /// Rows of a reference CSV: base name of an_map_path, label, prediction_an_det.
    static func readRows(_ path: String) throws -> [Row] {
        let table = try CSVTable(path: path)
        let name = try table.column("an_map_path"), label = try table.column("label")
        let prediction = table.header.firstIndex(of: "prediction_an_det")
        return try table.rows.enumerated().map { n, fields in
            guard let l = Int(fields[label]) ?? Double(fields[label]).map({ Int($0) }), l == 0 || l == 1 else {
                throw VisAError.label(path, line: n + 2, value: fields[label])
            }
            let p = prediction.flatMap { Double(fields[$0]) } ?? .nan
            return Row(name: (fields[name] as NSString).lastPathComponent, bad: l == 1, prediction: p)
        }
    }
}
