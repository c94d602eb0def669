/// Feature names and order, as the reference SegAD code lays them out:
/// segments outer (letters a, b, c, …), detectors inner, four statistics
/// each — `c_m_q995, c_m_scewness, c_m_kurtosis, c_m_mean` — then
/// `an_det_score_m` per detector, then the classifier score if any.
public struct FeatureLayout: Equatable, Sendable {
    public var segmentCount: Int
    public var detectors: [String]
    public var hasClassifierScore: Bool

    /// The name of the appended supervised classifier score.
    public static let classifierFeature = "classifier_score"
    /// Suffixes of the four per-segment statistics, in order (the reference's spelling).
    public static let statisticSuffixes = ["q995", "scewness", "kurtosis", "mean"]

    public init(segmentCount: Int, detectors: [String], hasClassifierScore: Bool) {
        self.segmentCount = segmentCount
        self.detectors = detectors
        self.hasClassifierScore = hasClassifierScore
    }

    /// Letter of segment `l`: a…z, then aa, ab, … for more than 26 segments.
    public static func segmentLetter(_ l: Int) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        return l < 26 ? String(letters[l]) : String(letters[l / 26 - 1]) + String(letters[l % 26])
    }

    public var count: Int { segmentCount * detectors.count * 4 + detectors.count + (hasClassifierScore ? 1 : 0) }

    /// Column of statistic `s` (0…3) of segment `l` and detector `k`.
    @inline(__always) public func column(segment l: Int, detector k: Int, statistic s: Int) -> Int {
        (l * detectors.count + k) * 4 + s
    }

    /// Column of detector `k`'s image score (max of its map).
    public func maxColumn(detector k: Int) -> Int { segmentCount * detectors.count * 4 + k }

    public var names: [String] {
        var names: [String] = []
        names.reserveCapacity(count)
        for l in 0..<segmentCount {
            for m in detectors {
                for s in Self.statisticSuffixes { names.append("\(Self.segmentLetter(l))_\(m)_\(s)") }
            }
        }
        for m in detectors { names.append("an_det_score_\(m)") }
        if hasClassifierScore { names.append(Self.classifierFeature) }
        return names
    }
}

extension FeatureLayout {
    /// Readable words for the statistic suffixes.
    static let statisticWords = ["q995": "99.5% quantile", "scewness": "skewness", "kurtosis": "kurtosis", "mean": "mean"]

    /// What a feature column means, in words for people (overlays, score
    /// lists): `c_golden_q995` → "segment 2 golden 99.5% quantile" (or "busbar
    /// golden 99.5% quantile" when `segmentNames` names segment 2),
    /// `an_det_score_patchcore` → "patchcore max of map". Names this layout
    /// does not make are returned as they are. Artifacts keep the internal
    /// names (the reference's); this is for display only.
    public func readableName(_ name: String, segmentNames: [String]? = nil) -> String {
        if name == Self.classifierFeature { return "classifier score" }
        if name.hasPrefix("an_det_score_"), detectors.contains(String(name.dropFirst("an_det_score_".count))) {
            return "\(name.dropFirst("an_det_score_".count)) max of map"
        }
        for l in 0..<segmentCount {
            let prefix = Self.segmentLetter(l) + "_"
            guard name.hasPrefix(prefix) else { continue }
            for d in detectors {
                for s in Self.statisticSuffixes where name == prefix + d + "_" + s {
                    let segment = segmentNames.flatMap { l < $0.count && !$0[l].isEmpty ? $0[l] : nil } ?? "segment \(l)"
                    return "\(segment) \(d) \(Self.statisticWords[s]!)"
                }
            }
        }
        return name
    }

    /// A feature as people see it: the readable name with the internal
    /// column name beside it, `segment 2 golden 99.5% quantile [c_golden_q995]`.
    public func displayName(_ name: String, segmentNames: [String]? = nil) -> String {
        let readable = readableName(name, segmentNames: segmentNames)
        return readable == name ? name : "\(readable) [\(name)]"
    }
}
