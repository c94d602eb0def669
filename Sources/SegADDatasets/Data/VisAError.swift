import SegADNative

/// A fault of the SegAD authors' cached VisA maps (`VisAManifest`): the
/// root or a file of the reference layout is missing, two rows name the same
/// file, too few bad rows, a label that is not 0 or 1. `file` is the folder
/// or CSV at fault; `description` is the stage's one line, `FILE: FAULT`.
public enum VisAError: SegADFault, Equatable {
    case rootNotFound(String)
    /// A `df_*.csv` of `model`'s folder.
    case missingCSV(String, model: String, className: String, name: String)
    case missingSegmentation(String, className: String)
    case sameFile(String, id: String)
    case tooFewBadRows(String, bad: Int, needMoreThan: Int)
    case label(String, line: Int, value: String)

    public var file: String {
        switch self {
        case .rootNotFound(let f), .missingCSV(let f, _, _, _), .missingSegmentation(let f, _), .sameFile(let f, _),
             .tooFewBadRows(let f, _, _), .label(let f, _, _):
            return f
        }
    }

    public var fault: String {
        switch self {
        case .rootNotFound:
            return "VISA_MAPS folder not found; expected ROOT/anomaly_maps/MODEL/CLASS/ and ROOT/visa_segm/CLASS/ (the SegAD authors' cached maps)"
        case .missingCSV(_, let m, let c, let f): return "missing; expected the reference layout ROOT/anomaly_maps/\(m)/\(c)/\(f)"
        case .missingSegmentation(_, let c): return "missing; expected segmentation maps under ROOT/visa_segm/\(c)/{good,bad}/"
        case .sameFile(_, let id): return "two rows map to the same file '\(id)'"
        case .tooFewBadRows(_, let bad, let need): return "has \(bad) bad rows; need more than \(need)"
        case .label(_, let line, let value): return "line \(line): label '\(value)' is not 0 or 1"
        }
    }
}
