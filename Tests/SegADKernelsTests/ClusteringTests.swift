import XCTest
@testable import SegADKernels

/// k-means, standardization, Otsu, the adjusted Rand index and label clean-up.
final class ClusteringTests: XCTestCase {
    /// n points around each of `centers` (2-D), with uniform noise of half-width `spread`.
    func blobs(_ centers: [(Float, Float)], perCluster n: Int, spread: Float, seed: UInt32) -> (points: [Float], truth: [Int32]) {
        var random = RandomState(seed: seed)
        var points: [Float] = [], truth: [Int32] = []
        for i in 0..<n {
            for (c, center) in centers.enumerated() {
                _ = i
                points.append(center.0 + spread * Float(2 * random.randomSample() - 1))
                points.append(center.1 + spread * Float(2 * random.randomSample() - 1))
                truth.append(Int32(c))
            }
        }
        return (points, truth)
    }

    func testKMeansRecoversSeparatedClusters() {
        let centers: [(Float, Float)] = [(0, 0), (10, 0), (0, 10), (10, 10), (5, 20)]
        let (points, truth) = blobs(centers, perCluster: 200, spread: 1.5, seed: 3)
        for seed: UInt32 in [0, 1, 42] {
            let r = KMeans.fit(points, count: truth.count, dimension: 2, clusters: 5, seed: seed)
            XCTAssertTrue(r.converged)
            XCTAssertEqual(ClusterAgreement.adjustedRandIndex(r.labels, truth), 1, accuracy: 1e-12, "seed \(seed)")
            // Every centroid lies near one true center.
            for c in 0..<5 {
                let (x, y) = (r.centroids[2 * c], r.centroids[2 * c + 1])
                XCTAssertTrue(centers.contains { abs($0.0 - x) < 0.5 && abs($0.1 - y) < 0.5 }, "centroid (\(x), \(y))")
            }
        }
    }

    func testKMeansIsDeterministicForASeed() {
        // Overlapping clusters, where the seeding matters.
        let (points, truth) = blobs([(0, 0), (3, 0), (1.5, 2.5)], perCluster: 300, spread: 2.5, seed: 9)
        let a = KMeans.fit(points, count: truth.count, dimension: 2, clusters: 4, seed: 7)
        let b = KMeans.fit(points, count: truth.count, dimension: 2, clusters: 4, seed: 7)
        XCTAssertEqual(a, b)
        XCTAssertTrue((0..<4).allSatisfy { c in a.labels.contains(Int32(c)) }, "no cluster is empty")
    }

    func testKMeansCapsIterationsAndKeepsLabelsConsistent() {
        let (points, truth) = blobs([(0, 0), (3, 0), (1.5, 2.5)], perCluster: 300, spread: 2.5, seed: 9)
        let r = KMeans.fit(points, count: truth.count, dimension: 2, clusters: 6, seed: 1, maxIterations: 2)
        XCTAssertLessThanOrEqual(r.iterations, 2)
        XCTAssertEqual(r.labels, KMeans.nearest(points, count: truth.count, dimension: 2, centroids: r.centroids, clusters: 6))
    }

    func testKMeansWithDuplicatePointsAndMoreClustersThanDistinctValues() {
        let points: [Float] = [1, 1, 1, 1, 5, 5]
        let r = KMeans.fit(points, count: 6, dimension: 1, clusters: 3, seed: 0)
        XCTAssertEqual(r.labels[0], r.labels[3])
        XCTAssertNotEqual(r.labels[0], r.labels[4])
        XCTAssertEqual(r.inertia, 0, accuracy: 1e-12)
    }

    func testStandardizeGivesZeroMeanUnitStd() {
        var x: [Float] = [1, 10, 2, 10, 3, 10, 4, 10]
        let (mean, std) = Standardize.columns(&x, count: 4, dimension: 2)
        XCTAssertEqual(mean, [2.5, 10])
        XCTAssertEqual(std[0], 1.118033988749895, accuracy: 1e-12)
        XCTAssertEqual(std[1], 0)
        // numpy: (x - x.mean()) / x.std() for [1, 2, 3, 4]
        let expected: [Float] = [-1.3416407865, -0.4472135955, 0.4472135955, 1.3416407865]
        for i in 0..<4 {
            XCTAssertEqual(x[2 * i], expected[i], accuracy: 1e-6)
            XCTAssertEqual(x[2 * i + 1], 0)
        }
    }

    func testOtsuSeparatesTwoModes() {
        var random = RandomState(seed: 5)
        var values: [Float] = []
        for _ in 0..<3000 { values.append(0.2 + 0.05 * Float(random.randomSample())) }
        for _ in 0..<1000 { values.append(0.7 + 0.05 * Float(random.randomSample())) }
        let t = Otsu.threshold(values)
        XCTAssertGreaterThan(t, 0.25)
        XCTAssertLessThan(t, 0.7)
        XCTAssertEqual(Otsu.threshold([3, 3, 3]), 3)
    }

    func testAdjustedRandIndexMatchesScikitLearn() {
        // sklearn.metrics.adjusted_rand_score([0,0,1,1,2,2], [0,0,1,2,2,2]) = 0.4444444444444444
        XCTAssertEqual(ClusterAgreement.adjustedRandIndex([0, 0, 1, 1, 2, 2], [0, 0, 1, 2, 2, 2]), 0.4444444444444444, accuracy: 1e-12)
        // adjusted_rand_score([0,0,1,1], [1,1,0,0]) = 1.0; ([0,0,1,1], [0,1,0,1]) = -0.5
        XCTAssertEqual(ClusterAgreement.adjustedRandIndex([0, 0, 1, 1], [1, 1, 0, 0]), 1, accuracy: 1e-12)
        XCTAssertEqual(ClusterAgreement.adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1]), -0.5, accuracy: 1e-12)
    }

    // MARK: Label clean-up

    func testComponentsAreFourConnected() {
        // Diagonal neighbours are separate components.
        let labels: [Int32] = [1, 0, 0,
                               0, 1, 0,
                               0, 0, 1]
        let c = LabelCleanup.components(labels, height: 3, width: 3)
        XCTAssertEqual(c.count, 5)
        XCTAssertEqual(c.sizes.sorted(), [1, 1, 1, 3, 3])
    }

    func testSmallIslandsMergeIntoTheLongestBorderNeighbour() {
        // 8×8: left half 0, right half 1; a 2×2 island of 2 straddling the
        // middle, mostly inside 1 (3 border pairs with 1 vs 1 with 0...), and
        // a single pixel of 3 inside 0.
        let (h, w) = (8, 8)
        var labels = [Int32](repeating: 0, count: h * w)
        for y in 0..<h { for x in 4..<w { labels[y * w + x] = 1 } }
        // Island of 2 at rows 2-3, columns 4-5: borders 1 on right/top/bottom (6 pairs), 0 on the left (2 pairs).
        for y in 2...3 { for x in 4...5 { labels[y * w + x] = 2 } }
        labels[6 * w + 1] = 3
        var cleaned = labels
        let merged = LabelCleanup.mergeSmallIslands(&cleaned, height: h, width: w, minArea: 5)
        XCTAssertEqual(merged, 2)
        var expected = [Int32](repeating: 0, count: h * w)
        for y in 0..<h { for x in 4..<w { expected[y * w + x] = 1 } }
        XCTAssertEqual(cleaned, expected)
        // Large regions are untouched, and a map with no small island is unchanged.
        var again = cleaned
        XCTAssertEqual(LabelCleanup.mergeSmallIslands(&again, height: h, width: w, minArea: 5), 0)
        XCTAssertEqual(again, cleaned)
    }

    func testBorderTiesGoToTheSmallerLabel() {
        // A single pixel of 9 between a column of 4 and a column of 2.
        let labels: [Int32] = [4, 4, 2,
                               4, 9, 2,
                               4, 4, 2]
        var cleaned = labels
        LabelCleanup.mergeSmallIslands(&cleaned, height: 3, width: 3, minArea: 2)
        XCTAssertEqual(cleaned[4], 4, "3 border pairs with 4, 1 with 2")
        var tie: [Int32] = [5, 5, 9, 2, 2]
        XCTAssertEqual(LabelCleanup.mergeSmallIslands(&tie, height: 1, width: 5, minArea: 2), 1)
        XCTAssertEqual(tie, [5, 5, 2, 2, 2])
        // Islands that are all small chain until one label is left.
        var chain: [Int32] = [5, 9, 2]
        LabelCleanup.mergeSmallIslands(&chain, height: 1, width: 3, minArea: 2)
        XCTAssertEqual(Set(chain).count, 1)
    }

    func testLargestComponentAndHoleFilling() {
        let (h, w) = (6, 6)
        var mask = [Bool](repeating: false, count: h * w)
        for y in 1...4 { for x in 1...4 { mask[y * w + x] = true } }
        mask[2 * w + 2] = false       // a hole
        mask[0 * w + 5] = true        // a separate speck
        let largest = LabelCleanup.largestComponent(mask, height: h, width: w)
        XCTAssertFalse(largest[5])
        XCTAssertEqual(largest.filter { $0 }.count, 15)
        let filled = LabelCleanup.fillHoles(largest, height: h, width: w)
        XCTAssertEqual(filled.filter { $0 }.count, 16)
        XCTAssertTrue(filled[2 * w + 2])
    }
}
