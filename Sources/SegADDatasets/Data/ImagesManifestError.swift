import SegADNative

/// A fault of a folder or `path,label` CSV of images turned into a manifest
/// (`build-dataset images-manifest`, `ImagesManifest`): a missing folder, a
/// bad CSV line, a file name that gives no usable id, or too few images for
/// the split. `file` is the folder, CSV or image at fault; `description` is
/// the stage's one line, `FILE: FAULT`. Option values stay `InputError`.
public enum ImagesManifestError: SegADFault, Equatable {
    // Ids from file names
    /// `file`: the path with control characters shown as `\u{…}`.
    case controlCharacter(String)
    case emptyId(String)
    case pathTooLong(String, maxBytes: Int)
    case sameId(String, id: String, other: String)
    /// Two names equal after Unicode normalization (NFC/NFD), different bytes.
    case normalizationTwins(String, other: String)

    // The folder
    case noSuchFolder(String)
    /// `file`: the `good/` or `bad/` subfolder.
    case noSuchSubfolder(String, label: String)
    case cannotList(String)

    // The CSV
    case badLine(String, line: Int)
    case badLabel(String, line: Int, label: String)
    case emptyPath(String, line: Int)
    case imageMissing(String, line: Int, path: String, lookedFor: String)
    case noImageExtension(String, line: Int, path: String)
    case noRows(String)
    case badSplit(String, line: Int, split: String)
    /// A split the row's label cannot take (a bad image in the pool, an uncertain one in train).
    case splitForLabel(String, line: Int, split: String, label: String)
    case duplicatePath(String, line: Int, path: String, firstLine: Int)

    // The fixed detector pool (`--pool FILE`, docs/manifest.md, "The fixed pool")
    case noPoolFile(String)
    case badPoolFile(String, line: Int)
    /// `file`: the pool file; `was` ids listed, `left` still good images.
    case poolShrunk(String, was: Int, left: Int, minimum: Int)
    /// `file`: the good images' source; a fresh pool below the detectors' minimum.
    case poolTooSmall(String, pool: Int, minimum: Int)

    // The split
    /// `file`: the good or bad images' source; `label`: "good" or "bad".
    case noImages(String, label: String)
    case emptyPool(String, good: Int, poolFraction: Double)
    case tooFewOutsidePool(String, good: Int, rest: Int)
    case tooFewBad(String, bad: Int, testFraction: Double)
    case emptyRole(String, label: String, count: Int, seed: Int, role: String)
    /// The regime `make images` chose does not fit the bad images found (docs/regimes.md).
    case regimeMismatch(String, regime: String, bad: Int)
    /// Too few good images outside the pool for the good-only or few-bad split of one seed.
    case tooFewGoodForRegime(String, regime: String, good: Int, pool: Int, seed: Int, train: Int, heldOut: Int)

    public var file: String {
        switch self {
        case .controlCharacter(let f), .emptyId(let f), .pathTooLong(let f, _), .sameId(let f, _, _), .normalizationTwins(let f, _),
             .noSuchFolder(let f), .noSuchSubfolder(let f, _), .cannotList(let f), .badLine(let f, _),
             .badLabel(let f, _, _), .emptyPath(let f, _), .imageMissing(let f, _, _, _),
             .noImageExtension(let f, _, _), .noRows(let f), .badSplit(let f, _, _), .splitForLabel(let f, _, _, _),
             .duplicatePath(let f, _, _, _), .noPoolFile(let f), .badPoolFile(let f, _), .poolShrunk(let f, _, _, _),
             .poolTooSmall(let f, _, _), .noImages(let f, _), .emptyPool(let f, _, _),
             .tooFewOutsidePool(let f, _, _), .tooFewBad(let f, _, _), .emptyRole(let f, _, _, _, _),
             .regimeMismatch(let f, _, _), .tooFewGoodForRegime(let f, _, _, _, _, _, _):
            return f
        }
    }

    public var fault: String {
        switch self {
        case .controlCharacter: return "file name has a control character; rename the file"
        case .emptyId: return "gives an empty id; rename the file"
        case .pathTooLong(_, let max): return "relative path is longer than \(max) bytes; shorten its folder or file name"
        case .sameId(_, let id, let other): return "gives the same id '\(id)' as \(other); rename one of them"
        case .normalizationTwins(_, let other):
            return "has the same name as \(other) after Unicode normalization (NFC/NFD: the same letters, encoded differently); rename one of them"
        case .noSuchFolder: return "no such folder; give a folder holding good/ and bad/ subfolders of images"
        case .noSuchSubfolder(let f, let label):
            return "no such folder; put the \(label) images in \(f)/ (subfolders are searched too)"
        case .cannotList: return "cannot list folder"
        case .badLine(_, let line): return "line \(line): expected 'path,label'"
        case .badLabel(_, let line, let label): return "line \(line): label '\(label)' is not good, bad or uncertain"
        case .emptyPath(_, let line): return "line \(line): empty path"
        case .imageMissing(_, let line, let path, let full): return "line \(line): image '\(path)' does not exist (looked for \(full))"
        case .noImageExtension(_, let line, let path):
            return "line \(line): '\(path)' has no image extension (.png .jpg .jpeg .tif .tiff)"
        case .noRows: return "no rows; expected lines like 'good/part1.jpg,good'"
        case .badSplit(_, let line, let split): return "line \(line): split '\(split)' is not pool, train or test (or empty)"
        case .splitForLabel(_, let line, let split, let label):
            return "line \(line): a\(label == "uncertain" ? "n" : "") \(label) image cannot be split '\(split)' (pool holds good images only; train good or bad; uncertain images are always tested)"
        case .duplicatePath(_, let line, let path, let first): return "line \(line): '\(path)' is listed twice (first on line \(first)); list each image once"
        case .noPoolFile: return "no such pool file"
        case .badPoolFile(_, let line):
            return "line \(line): not a detector pool file of build-dataset images-pool (a '# segad detector pool: pool-fraction F, pool-seed S' line, then one id a line); remove it to draw a new pool"
        case .poolShrunk(_, let was, let left, let minimum):
            return "\(left) of the \(was) images of the fixed detector pool are left (gone, no longer good or split out), fewer than the \(minimum) the detectors need; draw a new pool: make images … REPOOL=1 (every detector is fitted again)"
        case .poolTooSmall(_, let pool, let minimum):
            return "the detector pool holds \(pool) image\(pool == 1 ? "" : "s"), fewer than the \(minimum) the detectors need; add good images or raise --pool-fraction"
        case .noImages(_, let label): return "has no images; put \(label) images there"
        case .emptyPool(_, let good, let fraction):
            return "\(good) images give an empty detector pool at --pool-fraction \(fraction); add good images or raise --pool-fraction"
        case .tooFewOutsidePool(_, let good, let rest):
            return "\(good) images leave \(rest) outside the detector pool; the split needs at least 2 (one to train SegAD, one to test): add good images or lower --pool-fraction"
        case .tooFewBad(_, let bad, let fraction):
            return "\(bad) image\(bad == 1 ? "" : "s"); the split needs at least one bad image to train SegAD and one to test at --test-fraction \(fraction): add bad images"
        case .emptyRole(_, let label, let count, let seed, let role):
            return "\(count) \(label) image\(count == 1 ? "" : "s") (outside the detector pool) leave \(role) empty in seed \(seed) (an image's role is a hash of the seed and its id, docs/manifest.md): add \(label) images or choose other seeds"
        case .regimeMismatch(_, let regime, let bad):
            return "\(bad) bad image\(bad == 1 ? "" : "s") do not fit --regime \(regime) (good-only: none; few-bad: at least one; docs/regimes.md)"
        case .tooFewGoodForRegime(_, let regime, let good, let pool, let seed, let train, let heldOut):
            return "\(good) good images (\(pool) in the detector pool) leave \(train) to train SegAD and \(heldOut) held out in seed \(seed); the \(regime) regime needs at least \(ImagesRegime.minTrainGood) and \(ImagesRegime.minHeldOutGood) per seed (docs/regimes.md): add good images or lower the pool fraction"
        }
    }
}
