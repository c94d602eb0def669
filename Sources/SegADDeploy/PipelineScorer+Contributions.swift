import Foundation

extension PipelineScorer {
    /// One feature's share of a score: the internal column name, its words
    /// (`segment 2 golden 99.5% quantile`) and its XGBoost contribution to the margin.
    public struct Contribution: Sendable, Equatable {
        public var name: String
        public var readable: String
        public var contribution: Float
    }

    /// The `count` features contributing most to a result, in the order and
    /// with the tie rule of `topFeatures` (|contribution|, then feature
    /// order), as fields rather than one line: for a JSON answer (evaluate
    /// serve, docs/serving.md).
    public func topContributions(_ result: Result, count: Int = 3) -> [Contribution] {
        let c = result.contributions
        let order = c.indices.sorted {
            let a = abs(c[$0]), b = abs(c[$1])
            return a != b ? a > b : $0 < $1
        }
        return order.prefix(count).map {
            let name = pipeline.featureNames[$0]
            return Contribution(name: name,
                                readable: pipeline.layout.readableName(name, segmentNames: pipeline.segmentNames),
                                contribution: c[$0])
        }
    }
}
