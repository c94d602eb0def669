import SegADNative

/// torchvision's ResNet family with torchvision's key names (`conv1`, `bn1`,
/// `layerL.B.convK`, `layerL.B.bnK`, `layerL.B.downsample.{0,1}`), for users
/// who bring torchvision's .pth files: ResNet-18/34 (basic blocks) and
/// ResNet-50/101/152 and Wide-ResNet-50-2/101-2 (bottlenecks; stride on the
/// 3×3 convolution, as torchvision ≥ 0.3). The depth, the block type and every
/// width are read from the state dict, so any of these loads the same way.
///
/// Stem: 7×7/2 conv, padding 3, BN, ReLU, 3×3/2 max pool, padding 1. BatchNorm
/// ε = 1e-5, folded into the convolutions. Stages 0…3 are `layer1`…`layer4`
/// (strides 4, 8, 16, 32).
public final class ResNet: Backbone, @unchecked Sendable {
    public let name: String
    public let stages: [(channels: Int, stride: Int)]
    public let normalization: (mean: [Float], std: [Float]) = ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    static let eps: Float = 1e-5

    struct Conv {
        var weight: [Float]
        var bias: [Float]
        var cin: Int
        var cout: Int
        var kernel: Int
        var stride: Int
        var pad: Int
    }

    struct Block {
        var convs: [Conv]          // 2 (basic) or 3 (bottleneck); ReLU after all but the last
        var downsample: Conv?
    }

    let stem: Conv
    let layers: [[Block]]

    public convenience init(path: String, name: String = "resnet") throws {
        try self.init(weights: Checkpoint.load(path: path), source: path, name: name)
    }

    /// Builds the network from a torchvision state dict; a missing key or a
    /// wrong shape throws an `InputError` naming `source` and the key.
    public init(weights: [String: Tensor], source: String = "weights", name: String = "resnet") throws {
        func conv(_ key: String, _ bn: String, stride: Int, cin expectedIn: Int?) throws -> Conv {
            guard let t = weights[key + ".weight"] else { throw InputError(source, "key \(key).weight missing") }
            guard t.shape.count == 4, t.shape[2] == t.shape[3], t.shape[2] % 2 == 1 else {
                throw InputError(source, "key \(key).weight: expected a square odd kernel [out, in, k, k], found \(t.shape)")
            }
            let (cout, cin, k) = (t.shape[0], t.shape[1], t.shape[2])
            if let e = expectedIn, e != cin {
                throw InputError(source, "key \(key).weight: expected \(e) input channels, found \(t.shape)")
            }
            func vec(_ p: String) throws -> [Float] {
                guard let v = weights[bn + "." + p] else { throw InputError(source, "key \(bn).\(p) missing") }
                guard v.shape == [cout] else { throw InputError(source, "key \(bn).\(p): expected shape [\(cout)], found \(v.shape)") }
                return v.values
            }
            let g = try vec("weight"), b = try vec("bias"), m = try vec("running_mean"), v = try vec("running_var")
            var w = t.values
            let n = cin * k * k
            var bias = [Float](repeating: 0, count: cout)
            for c in 0..<cout {
                let scale = g[c] / (v[c] + Self.eps).squareRoot()
                for i in 0..<n { w[c * n + i] *= scale }
                bias[c] = b[c] - m[c] * scale
            }
            return Conv(weight: w, bias: bias, cin: cin, cout: cout, kernel: k, stride: stride, pad: k / 2)
        }
        stem = try conv("conv1", "bn1", stride: 2, cin: 3)
        var layers: [[Block]] = []
        var stages: [(channels: Int, stride: Int)] = []
        var channels = stem.cout
        for l in 1...4 {
            var blocks: [Block] = []
            var b = 0
            while weights["layer\(l).\(b).conv1.weight"] != nil {
                let pre = "layer\(l).\(b)."
                let stride = (l > 1 && b == 0) ? 2 : 1
                let bottleneck = weights[pre + "conv3.weight"] != nil
                var convs: [Conv] = []
                if bottleneck {
                    convs.append(try conv(pre + "conv1", pre + "bn1", stride: 1, cin: channels))
                    convs.append(try conv(pre + "conv2", pre + "bn2", stride: stride, cin: convs[0].cout))
                    convs.append(try conv(pre + "conv3", pre + "bn3", stride: 1, cin: convs[1].cout))
                } else {
                    convs.append(try conv(pre + "conv1", pre + "bn1", stride: stride, cin: channels))
                    convs.append(try conv(pre + "conv2", pre + "bn2", stride: 1, cin: convs[0].cout))
                }
                var down: Conv? = nil
                if weights[pre + "downsample.0.weight"] != nil {
                    down = try conv(pre + "downsample.0", pre + "downsample.1", stride: stride, cin: channels)
                    down!.pad = 0
                    guard down!.cout == convs.last!.cout else {
                        throw InputError(source, "key \(pre)downsample.0.weight: \(down!.cout) outputs, block gives \(convs.last!.cout)")
                    }
                } else if channels != convs.last!.cout || stride != 1 {
                    throw InputError(source, "key \(pre)downsample.0.weight missing")
                }
                channels = convs.last!.cout
                blocks.append(Block(convs: convs, downsample: down))
                b += 1
            }
            if blocks.isEmpty { throw InputError(source, "key layer\(l).0.conv1.weight missing") }
            layers.append(blocks)
            stages.append((channels, 4 << (l - 1)))
        }
        self.layers = layers
        self.stages = stages
        self.name = name
    }

    func run(_ c: Conv, _ x: [Float], h: Int, w: Int) -> (values: [Float], h: Int, w: Int) {
        x.withUnsafeBufferPointer { xp in c.weight.withUnsafeBufferPointer { wp in c.bias.withUnsafeBufferPointer { bp in
            ConvOps.conv(xp.baseAddress!, cin: c.cin, h: h, w: w, weight: wp.baseAddress!, bias: bp.baseAddress!,
                         cout: c.cout, kernel: c.kernel, stride: c.stride, pad: c.pad)
        } } }
    }

    /// Parallel only inside its sgemms: with threads > 1 OpenBLAS runs on
    /// that many threads for the duration (one otherwise, as the caller set it).
    public func forward(_ image: [Float], height: Int, width: Int, stages wanted: [Int], threads: Int) -> [FeatureMap] {
        if threads > 1 {
            return BLASThreads.with(threads) { forward(image, height: height, width: width, stages: wanted, threads: 1) }
        }
        precondition(image.count == 3 * height * width, "forward: expected a 3×H×W image")
        precondition(wanted.allSatisfy { (0..<4).contains($0) }, "forward: stages are 0…3")
        guard let deepest = wanted.max() else { return [] }
        var (x, h, w) = run(stem, image, h: height, w: width)
        ConvOps.relu(&x)
        (x, h, w) = ConvOps.maxPool(x, channels: stem.cout, h: h, w: w, kernel: 3, stride: 2, pad: 1)
        var found: [Int: FeatureMap] = [:]
        for (l, blocks) in layers.enumerated() where l <= deepest {
            for b in blocks {
                var (y, oh, ow) = (x, h, w)
                for (i, c) in b.convs.enumerated() {
                    (y, oh, ow) = run(c, y, h: oh, w: ow)
                    if i + 1 < b.convs.count { ConvOps.relu(&y) }
                }
                let identity = b.downsample.map { run($0, x, h: h, w: w).values } ?? x
                y.withUnsafeMutableBufferPointer { yp in identity.withUnsafeBufferPointer { ip in
                    for i in yp.indices { yp[i] = max(yp[i] + ip[i], 0) }
                } }
                (x, h, w) = (y, oh, ow)
            }
            if wanted.contains(l) {
                found[l] = FeatureMap(channels: layers[l].last!.convs.last!.cout, height: h, width: w, values: x)
            }
        }
        return wanted.map { found[$0]! }
    }
}
