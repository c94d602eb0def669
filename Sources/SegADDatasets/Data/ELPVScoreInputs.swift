import Foundation
import SegADNative
import SegADCore

/// Inputs of `make score-elpv` (docs/scoring.md): a small training manifest of
/// ELPV mono cells, a folder of held-out "new" cells, their labels kept apart,
/// and a static three-segment label map. `build-dataset elpv-score-inputs`.
///
/// Mono cells only; defect probability 0 is good, 1 is bad (⅓ and ⅔ are left
/// out). In labels.csv order: the first `detectorTrain` good cells fit the
/// detectors (detector-train), the next `good` good cells and the first `bad`
/// bad cells train the Boosted Random Forest (segad-train, seed 0), the next
/// `test` of each form a labeled test role, and the next ⌊new/2⌋ good and
/// ⌈new/2⌉ bad cells, interleaved (good, bad, good, …), go to OUT/new/ as
/// symlinks — the unlabeled new parts, their labels in OUT/new-labels.csv.
///
/// OUT/segmentation.png: SIZE×SIZE labels of an aligned mono cell — 0 the cell
/// body, 1 the three busbars (rows 53, 150 and 247 of 300, ±7 rows, measured
/// on the mean good cell), 2 the border (the outer round-half-even(0.04·SIZE)
/// pixels, at least 1).
///
/// The manifest and the label map are written (atomically) on every run; Make
/// runs this only when labels.csv or the flags change (a parameter stamp).
/// OUT/new/ is made to hold exactly the new cells.
public enum ELPVScoreInputs {
    public struct Options {
        public var labelsPath: String
        public var output: String
        public var size: Int
        public var detectorTrain = 40, good = 80, bad = 40, test = 0, new = 40
        public init(labelsPath: String, output: String, size: Int) {
            self.labelsPath = labelsPath; self.output = output; self.size = size
        }
    }

    /// The label map (row-major, SIZE×SIZE).
    public static func segmentation(size: Int) -> [UInt8] {
        let border = max(1, Int((0.04 * Double(size)).rounded(.toNearestOrEven)))
        let bars: [Double] = [53, 150, 247]
        var labels = [UInt8](repeating: 0, count: size * size)
        for y in 0..<size {
            let centre = (Double(y) + 0.5) * 300 / Double(size)  // the pixel's centre in the 300-pixel cell
            let onBar = bars.contains { abs(centre - $0) <= 7 }
            for x in 0..<size {
                if y < border || x < border || y >= size - border || x >= size - border {
                    labels[y * size + x] = 2
                } else if onBar {
                    labels[y * size + x] = 1
                }
            }
        }
        return labels
    }

    public static func write(_ o: Options) throws {
        let rows = try ELPVManifest.readLabels(path: o.labelsPath).filter { $0.type == .mono }
        let good = rows.filter { $0.label == .good }, bad = rows.filter { $0.label == .bad }
        let needGood = o.detectorTrain + o.good + o.test + o.new / 2
        let needBad = o.bad + o.test + o.new - o.new / 2
        guard good.count >= needGood, bad.count >= needBad else {
            throw ELPVError.needCells(o.labelsPath, needGood: needGood, needBad: needBad, good: good.count, bad: bad.count)
        }
        var g = good[...], b = bad[...]
        func take(_ n: Int, _ from: inout ArraySlice<ELPVManifest.Row>) -> [ELPVManifest.Row] {
            defer { from = from.dropFirst(n) }
            return Array(from.prefix(n))
        }
        let detector = take(o.detectorTrain, &g)
        let trainGood = take(o.good, &g), trainBad = take(o.bad, &b)
        let testGood = take(o.test, &g), testBad = take(o.test, &b)
        let newGood = take(o.new / 2, &g), newBad = take(o.new - o.new / 2, &b)

        let fm = FileManager.default
        try fm.createDirectory(atPath: o.output, withIntermediateDirectories: true)
        let labelsFolder = (o.labelsPath as NSString).deletingLastPathComponent
        let toImages = ELPVManifest.relativePath(from: o.output, to: labelsFolder)
        func item(_ row: ELPVManifest.Row) -> ManifestItem {
            ManifestItem(id: row.id, label: row.label,
                         image: row.image.hasPrefix("/") ? row.image : ELPVManifest.join(toImages, row.image))
        }
        var roles: [Manifest.Role: [String]] = [.detectorTrain: detector.map(\.id),
                                                .segadTrain: (trainGood + trainBad).map(\.id)]
        if o.test > 0 { roles[.test] = (testGood + testBad).map(\.id) }
        let manifestPath = o.output + "/manifest.json"
        let manifest = Manifest(name: "elpv-mono", className: "mono",
                                items: (detector + trainGood + testGood + trainBad + testBad).map(item),
                                seeds: [0: roles], root: o.output, path: manifestPath)
        try ELPVManifest.writeAtomically(try manifest.jsonData() + Data("\n".utf8), to: manifestPath)
        _ = try Manifest.load(path: manifestPath)

        // The label map, written under a temporary name and renamed into place.
        let segmentationPath = o.output + "/segmentation.png"
        let temporary = "\(segmentationPath).tmp-\(getpid()).png"
        try PNG.writeGray8(path: temporary, width: o.size, height: o.size, pixels: segmentation(size: o.size))
        if rename(temporary, segmentationPath) != 0 {
            unlink(temporary)
            throw InputError(segmentationPath, "cannot rename \(temporary) into place: \(String(cString: strerror(errno)))")
        }

        // The new cells: symlinks to the images, interleaved good and bad.
        var interleaved: [(row: ELPVManifest.Row, label: String)] = []
        for i in 0..<max(newGood.count, newBad.count) {
            if i < newGood.count { interleaved.append((newGood[i], "good")) }
            if i < newBad.count { interleaved.append((newBad[i], "bad")) }
        }
        let newFolder = o.output + "/new"
        try fm.createDirectory(atPath: newFolder, withIntermediateDirectories: true)
        var wanted: [String: String] = [:]
        for (row, _) in interleaved {
            let target = row.image.hasPrefix("/") ? row.image
                : ((labelsFolder.hasPrefix("/") ? labelsFolder : fm.currentDirectoryPath + "/" + labelsFolder) + "/" + row.image)
            wanted[(row.image as NSString).lastPathComponent] = (target as NSString).standardizingPath
        }
        // OUT/new holds the stage's symlinks: only symlinks no longer wanted
        // are removed, never a file or folder someone put there
        // (docs/reliability.md, "Files, outputs and CSV cells").
        for name in try fm.contentsOfDirectory(atPath: newFolder) where wanted[name] == nil {
            var info = stat()
            if lstat(newFolder + "/" + name, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK { unlink(newFolder + "/" + name) }
        }
        for (name, target) in wanted.sorted(by: { $0.key < $1.key }) {
            let link = newFolder + "/" + name
            if (try? fm.destinationOfSymbolicLink(atPath: link)) == target { continue }
            try? fm.removeItem(atPath: link)
            do { try fm.createSymbolicLink(atPath: link, withDestinationPath: target) } catch {
                throw InputError(link, "cannot create the symlink to \(target)")
            }
        }
        var csv = CSV.line(["file", "label"])
        for (row, label) in interleaved { csv += CSV.line([CSV.text((row.image as NSString).lastPathComponent), "\(label)"]) }
        try ELPVManifest.writeAtomically(Data(csv.utf8), to: o.output + "/new-labels.csv")
    }
}
