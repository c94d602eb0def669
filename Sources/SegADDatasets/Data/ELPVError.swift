import SegADNative

/// A fault of the ELPV data set (`labels.csv` and its cell images) met by the
/// ELPV builders (`ELPVManifest`, `ELPVScoreInputs`, ELPV segmentation,
/// `VADFromELPV`): the labels file cannot be read or holds a bad line, an
/// image it lists is missing or of another size, or there are too few
/// cells for the split asked. `file` is the labels file (or the image, or
/// the manifest built from them); `description` is the stage's one line,
/// `FILE: FAULT`.
public enum ELPVError: SegADFault, Equatable {
    // labels.csv
    case noSuchFile(String)
    /// The labels file is missing where `scripts/fetch-data.sh` puts it.
    case notFetched(String)
    case cannotRead(String)
    case notUTF8(String)
    case fieldCount(String, line: Int, found: Int)
    /// A line `VADFromELPV` cannot read.
    case badLine(String, line: Int)
    case probability(String, line: Int, value: String)
    case cellType(String, line: Int, value: String)
    case alreadyListed(String, line: Int, image: String, first: Int)
    case noFileName(String, line: Int, image: String)
    case sameId(String, line: Int, image: String, id: String, first: Int)
    case imageMissing(String, line: Int, image: String, lookedFor: String)
    case noRows(String)

    // The cells
    /// `file`: an image labels.csv lists.
    case listedButMissing(String)
    /// `file`: a cell image of another size than the first.
    case cellSize(String, height: Int, width: Int, otherHeight: Int, otherWidth: Int)
    /// Fewer cells of `type` than the manifest's split needs.
    case tooFewCells(String, type: String, good: Int, bad: Int)
    case tooFewMonoCells(String, good: Int, bad: Int)
    case needCells(String, needGood: Int, needBad: Int, good: Int, bad: Int)

    // The ELPV manifest's segmentation (`file`: the manifest)
    case namesNoSegmentation(String, id: String)
    case segmentationOutside(String, id: String, segmentation: String, folder: String)

    public var file: String {
        switch self {
        case .noSuchFile(let f), .notFetched(let f), .cannotRead(let f), .notUTF8(let f), .fieldCount(let f, _, _),
             .badLine(let f, _), .probability(let f, _, _), .cellType(let f, _, _), .alreadyListed(let f, _, _, _),
             .noFileName(let f, _, _), .sameId(let f, _, _, _, _), .imageMissing(let f, _, _, _), .noRows(let f),
             .listedButMissing(let f), .cellSize(let f, _, _, _, _), .tooFewCells(let f, _, _, _),
             .tooFewMonoCells(let f, _, _), .needCells(let f, _, _, _, _), .namesNoSegmentation(let f, _),
             .segmentationOutside(let f, _, _, _):
            return f
        }
    }

    public var fault: String {
        switch self {
        case .noSuchFile: return "no such file"
        case .notFetched: return "no such file; run scripts/fetch-data.sh (fetches ELPV into .cache/elpv)"
        case .cannotRead: return "cannot read labels"
        case .notUTF8: return "not UTF-8 text"
        case .fieldCount(_, let line, let found):
            return "line \(line): expected 3 fields (image, defect probability, type), found \(found)"
        case .badLine(_, let line): return "line \(line): expected 'images/NAME.png PROBABILITY TYPE'"
        case .probability(_, let line, let value): return "line \(line): defect probability '\(value)' is not 0, 1/3, 2/3 or 1"
        case .cellType(_, let line, let value): return "line \(line): cell type '\(value)' is not mono or poly"
        case .alreadyListed(_, let line, let image, let first): return "line \(line): image '\(image)' already listed on line \(first)"
        case .noFileName(_, let line, let image): return "line \(line): image '\(image)' has no file name"
        case .sameId(_, let line, let image, let id, let first):
            return "line \(line): image '\(image)' has the same id '\(id)' as line \(first)"
        case .imageMissing(_, let line, let image, let full): return "line \(line): image '\(image)' does not exist (looked for \(full))"
        case .noRows: return "no rows; expected lines like 'images/cell0001.png 1.0 mono'"
        case .listedButMissing: return "listed in labels.csv but missing"
        case .cellSize(_, let h, let w, let oh, let ow): return "is \(h)×\(w); other cells are \(oh)×\(ow)"
        case .tooFewCells(_, let type, let good, let bad):
            return "\(type): \(good) good and \(bad) bad cells; need at least 5 good and 2 bad"
        case .tooFewMonoCells(_, let good, let bad): return "too few mono cells (\(good) good, \(bad) bad)"
        case .needCells(_, let needGood, let needBad, let good, let bad):
            return "need \(needGood) good and \(needBad) bad mono cells, have \(good) and \(bad)"
        case .namesNoSegmentation(_, let id): return "item '\(id)' names no segmentation (build it with --segmentation-dir)"
        case .segmentationOutside(_, let id, let seg, let folder): return "item '\(id)' names segmentation '\(seg)' outside \(folder)"
        }
    }
}
