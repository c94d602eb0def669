/// One image's activations at one stage: `channels × height × width` floats,
/// channel-major (C×H×W, row-major within a channel), like one item of a
/// PyTorch NCHW tensor.
public struct FeatureMap: Sendable, Equatable {
    public var channels: Int
    public var height: Int
    public var width: Int
    public var values: [Float]

    public init(channels: Int, height: Int, width: Int, values: [Float]) {
        precondition(values.count == channels * height * width, "FeatureMap: size mismatch")
        self.channels = channels
        self.height = height
        self.width = width
        self.values = values
    }
}
