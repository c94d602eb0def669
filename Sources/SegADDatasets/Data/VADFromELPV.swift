import Foundation
import SegADNative
import SegADKernels

/// Lays out the ELPV solar cells (mono only) as a VAD-layout tree, so the
/// VAD benchmarks can run on real data here. Labels: defect probability 0 →
/// good, 1 → bad; ⅓ and ⅔ are left out. Counts keep VAD's proportions,
/// scaled down (ELPV mono has 588 good and 313 bad cells):
///
///     train/good  2/3 of the good cells        test/good   the other 1/3
///     train/bad   1/2 of the bad cells         test/…      the other 1/2, of which
///                                              16.5% (VAD's 165 of 1000) go to
///                                              test/bad_unseen_defects
///     low_shot_train.json  keys "0"…"4", each `lowShot` train/bad names
///                          (VAD: 100 of 1000; here 20 of 156 by default)
///     segmentation.png     a static label map (4 segments, 300×300): 0 the
///                          outer border (6% of the side), then the interior
///                          split at the terciles of the mean train/good image's
///                          intensity: 1 dark (busbars, cut corners), 2 mid, 3 bright
///
/// ELPV has no defect types, so "unseen" here is a seeded subset of the bad
/// cells, not a new kind of defect. Draws use numpy `RandomState(seed)`
/// permutations of the name-sorted lists. Images are symbolic links to the
/// ELPV cache (absolute paths).
public enum VADFromELPV {
    public struct Options {
        public var elpv: String
        public var output: String
        public var seed = 0
        public var lowShot = 20
        public var unseenShare = 0.165
        public init(elpv: String, output: String) { self.elpv = elpv; self.output = output }
    }

    public static let segments = 4

    public static func run(_ o: Options) throws {
        let elpv = URL(fileURLWithPath: o.elpv).standardizedFileURL.path
        let labelsPath = elpv + "/labels.csv"
        guard let data = try RegularFile.contents(atPath: labelsPath) else {
            throw ELPVError.notFetched(labelsPath)
        }
        var good: [String] = [], bad: [String] = []
        for (n, line) in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).enumerated() {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard f.count >= 3, let p = Double(f[1]) else { throw ELPVError.badLine(labelsPath, line: n + 1) }
            guard f[2] == "mono" else { continue }
            if p == 0 { good.append(f[0]) } else if p == 1 { bad.append(f[0]) }
        }
        good.sort(); bad.sort()
        guard good.count >= 6, bad.count >= 6 else { throw ELPVError.tooFewMonoCells(labelsPath, good: good.count, bad: bad.count) }
        var rng = RandomState(seed: UInt32(o.seed))
        let pg = rng.permutation(good.count).map { good[$0] }
        let pb = rng.permutation(bad.count).map { bad[$0] }
        let nTrainGood = good.count * 2 / 3, nTrainBad = bad.count / 2
        let testBad = Array(pb[nTrainBad...])
        let nUnseen = Int((o.unseenShare * Double(testBad.count)).rounded())
        let folders: [(String, [String])] = [
            ("train/good", Array(pg[..<nTrainGood])), ("test/good", Array(pg[nTrainGood...])),
            ("train/bad", Array(pb[..<nTrainBad])),
            ("test/bad_unseen_defects", Array(testBad[..<nUnseen])), ("test/bad", Array(testBad[nUnseen...])),
        ]
        let fm = FileManager.default
        let out = URL(fileURLWithPath: o.output).standardizedFileURL.path
        let partial = out + ".partial-\(getpid())"
        try? fm.removeItem(atPath: partial)
        for (folder, files) in folders {
            try fm.createDirectory(atPath: partial + "/" + folder, withIntermediateDirectories: true)
            for f in files {
                let src = elpv + "/" + f
                guard fm.fileExists(atPath: src) else { throw ELPVError.listedButMissing(src) }
                try fm.createSymbolicLink(atPath: partial + "/" + folder + "/" + (f as NSString).lastPathComponent,
                                          withDestinationPath: src)
            }
        }
        // low_shot_train.json: five keys, each a seeded draw from train/bad.
        let trainBad = folders[2].1.map { ($0 as NSString).lastPathComponent }.sorted()
        var lowShot: [String: [String]] = [:]
        for key in 0..<5 {
            var r = RandomState(seed: UInt32(o.seed + 1 + key))
            lowShot[String(key)] = r.permutation(trainBad.count).prefix(min(o.lowShot, trainBad.count)).map { trainBad[$0] }
        }
        try JSONSerialization.data(withJSONObject: lowShot, options: [.sortedKeys, .prettyPrinted])
            .write(to: URL(fileURLWithPath: partial + "/" + VADLayout.lowShotFile))
        try writeSegmentation(goodPaths: folders[0].1.map { elpv + "/" + $0 }, to: partial + "/segmentation.png")
        try? fm.removeItem(atPath: out)
        try fm.moveItem(atPath: partial, toPath: out)
    }

    /// Border / dark / mid / bright of the mean good image (see the type's comment).
    static func writeSegmentation(goodPaths: [String], to path: String) throws {
        var mean: [Double] = [], h = 0, w = 0
        for p in goodPaths {
            let image = try ImageFile.read(path: p).expandedTo8Bit()  // any image format
            let g = image.grayFloats()
            if mean.isEmpty { (h, w) = (image.height, image.width); mean = [Double](repeating: 0, count: h * w) }
            guard image.height == h, image.width == w else { throw ELPVError.cellSize(p, height: image.height, width: image.width, otherHeight: h, otherWidth: w) }
            for i in 0..<(h * w) { mean[i] += Double(g[i]) }
        }
        let border = max(1, Int(0.06 * Double(min(h, w))))
        var interior: [Double] = []
        for y in border..<(h - border) { for x in border..<(w - border) { interior.append(mean[y * w + x]) } }
        interior.sort()
        let t1 = Quantile.linear(interior, q: 1.0 / 3), t2 = Quantile.linear(interior, q: 2.0 / 3)
        var labels = [UInt8](repeating: 0, count: h * w)
        for y in border..<(h - border) {
            for x in border..<(w - border) {
                let v = mean[y * w + x]
                labels[y * w + x] = v < t1 ? 1 : (v < t2 ? 2 : 3)
            }
        }
        try PNG.writeGray8(path: path, width: w, height: h, pixels: labels)
    }
}
