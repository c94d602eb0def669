// Spatial clean-up of label maps: connected components, merging of small
// islands into their neighbours, largest component and hole filling for
// masks. No I/O; maps are row-major H×W.

/// The 4-connected components of a label map.
public struct LabelComponents: Sendable {
    /// The component (0…count-1, numbered in scan order) of every pixel.
    public var component: [Int32]
    /// Pixels per component.
    public var sizes: [Int]
    /// The label value each component carries.
    public var values: [Int32]
    /// Whether a component touches the image border.
    public var touchesBorder: [Bool]
    public var count: Int { sizes.count }
}

public enum LabelCleanup {
    /// The 4-connected components of `labels` (pixels are connected when
    /// they share an edge and a label), numbered in raster-scan order of
    /// their first pixel.
    ///
    /// - Complexity: O(H·W) time and memory (union–find with path halving).
    public static func components(_ labels: [Int32], height h: Int, width w: Int) -> LabelComponents {
        precondition(labels.count == h * w)
        let n = h * w
        var parent = [Int32](repeating: 0, count: n)
        for i in 0..<n { parent[i] = Int32(i) }
        func find(_ i: Int) -> Int {
            var i = i
            while Int(parent[i]) != i {
                parent[i] = parent[Int(parent[i])]
                i = Int(parent[i])
            }
            return i
        }
        func union(_ a: Int, _ b: Int) {
            let ra = find(a), rb = find(b)
            if ra != rb { parent[max(ra, rb)] = Int32(min(ra, rb)) }
        }
        for y in 0..<h {
            for x in 0..<w {
                let i = y * w + x
                if x > 0 && labels[i - 1] == labels[i] { union(i, i - 1) }
                if y > 0 && labels[i - w] == labels[i] { union(i, i - w) }
            }
        }
        var component = [Int32](repeating: -1, count: n)
        var numberOfRoot = [Int32](repeating: -1, count: n)
        var sizes: [Int] = [], values: [Int32] = [], border: [Bool] = []
        for i in 0..<n {
            let r = find(i)
            if numberOfRoot[r] < 0 {
                numberOfRoot[r] = Int32(sizes.count)
                sizes.append(0); values.append(labels[i]); border.append(false)
            }
            let c = Int(numberOfRoot[r])
            component[i] = Int32(c)
            sizes[c] += 1
            let y = i / w, x = i % w
            if y == 0 || x == 0 || y == h - 1 || x == w - 1 { border[c] = true }
        }
        return LabelComponents(component: component, sizes: sizes, values: values, touchesBorder: border)
    }

    /// Merges every 4-connected island smaller than `minArea` pixels into
    /// the neighbouring label it shares the longest border with (border
    /// length = number of 4-adjacent pixel pairs; ties go to the smaller
    /// label). Islands are taken smallest first (then in scan order), and
    /// passes repeat until no island is smaller than `minArea` or none can
    /// merge (an island covering the whole image has no neighbour). Every
    /// merge lowers the number of components, so this terminates.
    ///
    /// A label whose every island is small disappears; callers that need
    /// all labels present must check.
    ///
    /// - Returns: the number of islands merged.
    /// - Complexity: O(passes · H·W); passes are few in practice (merges
    ///   within a pass are processed in one sweep).
    @discardableResult
    public static func mergeSmallIslands(_ labels: inout [Int32], height h: Int, width w: Int, minArea: Int) -> Int {
        precondition(labels.count == h * w)
        var merged = 0
        while true {
            let comps = components(labels, height: h, width: w)
            let small = (0..<comps.count).filter { comps.sizes[$0] < minArea }
                .sorted { (comps.sizes[$0], $0) < (comps.sizes[$1], $1) }
            if small.isEmpty { break }
            // Pixels of each small component, via a bucket sort.
            var start = [Int](repeating: 0, count: comps.count + 1)
            for c in small { start[c + 1] = comps.sizes[c] }
            for c in 0..<comps.count { start[c + 1] += start[c] }
            var fill = start
            var pixels = [Int](repeating: 0, count: start[comps.count])
            var isSmall = [Bool](repeating: false, count: comps.count)
            for c in small { isSmall[c] = true }
            for i in 0..<(h * w) {
                let c = Int(comps.component[i])
                if isSmall[c] { pixels[fill[c]] = i; fill[c] += 1 }
            }
            var changedThisPass = 0
            var border: [Int32: Int] = [:]
            for c in small {
                border.removeAll(keepingCapacity: true)
                let own = labels[pixels[start[c]]]
                // An earlier merge in this pass may have relabelled part of
                // the island's surroundings; count against current labels.
                for p in pixels[start[c]..<start[c + 1]] {
                    let y = p / w, x = p % w
                    if x > 0, labels[p - 1] != own { border[labels[p - 1], default: 0] += 1 }
                    if x < w - 1, labels[p + 1] != own { border[labels[p + 1], default: 0] += 1 }
                    if y > 0, labels[p - w] != own { border[labels[p - w], default: 0] += 1 }
                    if y < h - 1, labels[p + w] != own { border[labels[p + w], default: 0] += 1 }
                }
                guard let target = border.max(by: { ($0.value, -$0.key) < ($1.value, -$1.key) })?.key else { continue }
                for p in pixels[start[c]..<start[c + 1]] { labels[p] = target }
                changedThisPass += 1
            }
            merged += changedThisPass
            if changedThisPass == 0 { break }
        }
        return merged
    }

    /// The largest 4-connected `true` region of `mask` (the first in scan
    /// order at ties); all `false` when the mask has no `true` pixel.
    ///
    /// - Complexity: O(H·W).
    public static func largestComponent(_ mask: [Bool], height h: Int, width w: Int) -> [Bool] {
        let comps = components(mask.map { $0 ? 1 : 0 }, height: h, width: w)
        var best = -1
        for c in 0..<comps.count where comps.values[c] == 1 {
            if best < 0 || comps.sizes[c] > comps.sizes[best] { best = c }
        }
        guard best >= 0 else { return [Bool](repeating: false, count: h * w) }
        return comps.component.map { Int($0) == best }
    }

    /// `mask` with its holes filled: every 4-connected `false` region that
    /// does not touch the image border becomes `true`.
    ///
    /// - Complexity: O(H·W).
    public static func fillHoles(_ mask: [Bool], height h: Int, width w: Int) -> [Bool] {
        let comps = components(mask.map { $0 ? 1 : 0 }, height: h, width: w)
        return (0..<(h * w)).map { i in
            let c = Int(comps.component[i])
            return mask[i] || !comps.touchesBorder[c]
        }
    }
}
