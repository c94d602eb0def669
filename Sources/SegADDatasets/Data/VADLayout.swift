import Foundation
import SegADNative

/// A Valeo Anomaly Dataset (VAD) folder, as docs/vad.md, "The folder", describes it:
///
///     ROOT/train/good/*.png              2000 good training images
///     ROOT/train/bad/*.png               1000 bad training images
///     ROOT/test/good/*.png               1000 good test images
///     ROOT/test/bad/*.png                 835 bad test images (defect types seen in training)
///     ROOT/test/bad_unseen_defects/*.png  165 bad test images of unseen defect types
///     ROOT/low_shot_train.json           {"KEY": ["NAME.png", …100 names of train/bad], …5 keys}
///
/// The images may be PNG, JPEG or TIFF (any file named .png .jpg .jpeg .tif
/// .tiff, any case, is listed; others are ignored; every stage decodes them
/// with `ImageFile.read`). File names are the images' base names; lists are sorted by name so the
/// splits do not depend on directory order.
public struct VADLayout: Sendable {
    public static let folders = ["train/good", "train/bad", "test/good", "test/bad", "test/bad_unseen_defects"]
    public static let lowShotFile = "low_shot_train.json"

    /// The absolute root folder.
    public var root: String
    public var trainGood: [String]
    public var trainBad: [String]
    public var testGood: [String]
    public var testBad: [String]
    public var testUnseen: [String]
    /// low_shot_train.json: key → train/bad names (absent when the file is).
    public var lowShot: [String: [String]]?

    /// What a user sees when VAD_ROOT is unset or not a VAD folder.
    public static let howToGet = """
        VAD (the Valeo Anomaly Dataset of the SegAD paper, CVPR 2024) is not downloadable here: \
        request it from its authors (https://huggingface.co/datasets/Valeo/VAD or the SegAD repository), \
        unpack it and run `make vad-highshot VAD_ROOT=/path/to/VAD` — or try the pipeline on ELPV laid out \
        as VAD: `make vad-elpv-tree` then `make vad-highshot VAD_ROOT=artifacts/vad-elpv/tree VAD_SEGMENTS=4` \
        (docs/vad.md)
        """

    /// Reads and checks the layout. One error names everything missing.
    public init(root: String, needLowShot: Bool = false) throws {
        let fm = FileManager.default
        let abs = URL(fileURLWithPath: root).standardizedFileURL.path
        self.root = abs
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: abs, isDirectory: &isDir), isDir.boolValue else {
            throw VADError.notAFolder(root)
        }
        var missing: [String] = []
        var lists: [String: [String]] = [:]
        for folder in Self.folders {
            let path = abs + "/" + folder
            guard let names = try? fm.contentsOfDirectory(atPath: path) else {
                missing.append(folder + "/"); continue
            }
            let images = names.filter(ImagesManifest.isImage).sorted()
            if images.isEmpty { missing.append(folder + "/ images (.png .jpg .jpeg .tif .tiff)") }
            lists[folder] = images
        }
        let lowShotPath = abs + "/" + Self.lowShotFile
        if needLowShot && !fm.fileExists(atPath: lowShotPath) { missing.append(Self.lowShotFile) }
        guard missing.isEmpty else {
            throw VADError.notVADFolder(root, missing: missing)
        }
        trainGood = lists["train/good"]!; trainBad = lists["train/bad"]!
        testGood = lists["test/good"]!; testBad = lists["test/bad"]!; testUnseen = lists["test/bad_unseen_defects"]!
        guard trainGood.count >= 2 else { throw VADError.tooFewTrainGood(abs + "/train/good") }
        if fm.fileExists(atPath: lowShotPath) {
            lowShot = try Self.readLowShot(lowShotPath, trainBad: Set(trainBad))
        }
    }

    static func readLowShot(_ path: String, trainBad: Set<String>) throws -> [String: [String]] {
        guard let data = try RegularFile.contents(atPath: path),
              let json = try? JSONSerialization.jsonObject(with: data) else {
            throw VADError.lowShotNotJSON(path)
        }
        guard let object = json as? [String: Any], !object.isEmpty else {
            throw VADError.lowShotNotObject(path)
        }
        var out: [String: [String]] = [:]
        for (key, value) in object {
            guard let list = value as? [String], !list.isEmpty else {
                throw VADError.lowShotNotList(path, key: key)
            }
            let names = list.map { ($0 as NSString).lastPathComponent }
            if let unknown = names.first(where: { !trainBad.contains($0) }) {
                throw VADError.lowShotUnknownName(path, key: key, name: unknown)
            }
            if Set(names).count != names.count { throw VADError.lowShotNameTwice(path, key: key) }
            out[key] = names
        }
        return out
    }

    /// The low-shot key a seed uses: the seed's decimal string when every
    /// seed of the run is a key; otherwise the seed's position in the run's
    /// seed list picks the key at that position in the sorted keys (numeric
    /// order when all keys are integers, else string order).
    public static func lowShotKey(seed: Int, seeds: [Int], keys: [String]) -> String? {
        if seeds.allSatisfy({ keys.contains(String($0)) }) { return String(seed) }
        let sorted: [String]
        if keys.allSatisfy({ Int($0) != nil }) { sorted = keys.sorted { Int($0)! < Int($1)! } } else { sorted = keys.sorted() }
        guard let position = seeds.firstIndex(of: seed), position < sorted.count else { return nil }
        return sorted[position]
    }
}
