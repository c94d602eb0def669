// Golden file: Golden/random_state.json, made by Golden/make_golden.py
// (numpy.random.RandomState(seed): bit_generator.random_raw(8),
// random_sample(5), permutation(n) for n in 10 11 50 100 1000; and
// sklearn.model_selection.train_test_split(list(range(n)), test_size=n-10,
// random_state=seed) for n in 50 100; the VisA seeds plus 0, 1, 2^32-1).
import Foundation
import XCTest
import SegADKernels

struct RandomStateGolden: Decodable {
    struct Split: Decodable { var train: [Int]; var test: [Int] }
    struct Seed: Decodable {
        var seed: UInt32
        var raw: [UInt32]
        var randomSample: [Double]
        var permutations: [String: [Int]]
        var trainTestSplit: [String: Split]
    }
    var seeds: [Seed]
}

final class RandomStateTests: XCTestCase {
    func load() throws -> RandomStateGolden {
        try JSONDecoder().decode(RandomStateGolden.self, from: Data(contentsOf: goldenURL("random_state.json")))
    }

    func testRawAndRandomSample() throws {
        let g = try load()
        XCTAssertEqual(g.seeds.count, 13)
        for s in g.seeds {
            var r = RandomState(seed: s.seed)
            XCTAssertEqual((0..<s.raw.count).map { _ in r.nextUInt32() }, s.raw, "seed \(s.seed)")
            var u = RandomState(seed: s.seed)
            XCTAssertEqual((0..<s.randomSample.count).map { _ in u.randomSample() }, s.randomSample, "seed \(s.seed)")
        }
    }

    func testPermutation() throws {
        var checked = 0
        for s in try load().seeds {
            for (key, expected) in s.permutations {
                var r = RandomState(seed: s.seed)
                XCTAssertEqual(r.permutation(Int(key)!), expected, "seed \(s.seed) n \(key)")
                checked += 1
            }
        }
        XCTAssertEqual(checked, 50)
    }

    func testTrainTestSplit() throws {
        var checked = 0
        for s in try load().seeds {
            for (key, expected) in s.trainTestSplit {
                let r = TrainTestSplit.split(count: Int(key)!, trainCount: 10, seed: s.seed)
                XCTAssertEqual(r.train, expected.train, "seed \(s.seed) n \(key)")
                XCTAssertEqual(r.test, expected.test, "seed \(s.seed) n \(key)")
                checked += 1
            }
        }
        XCTAssertEqual(checked, 20)
    }
}
