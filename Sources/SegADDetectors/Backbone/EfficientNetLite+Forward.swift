/// The forward pass of EfficientNet-Lite0, one image, on one or more threads.
///
/// Every layer but the depthwise convolutions is an sgemm (the stem through
/// im2col), with the bias preloaded into the output and the ReLU6 that
/// follows it deferred to its only reader, the depthwise convolution, which
/// clamps its input while copying it into a padded plane and clamps its own
/// output rows while they are in cache (`ConvOps.depthwiseReLU6`). No layer
/// allocates: the activations live in one workspace sized for the deepest
/// stage asked.
///
/// With t threads each layer is split t ways — the sgemm layers by pixel
/// columns, at boundaries of the fixed tiles of `ConvOps.pointwise` (each
/// part one-threaded sgemms on its tiles: the same calls whatever t), the
/// depthwise layers by channel — with a join between layers, except between
/// a block's project and the next block's expand, which share one split.
/// The values do not depend on t.
extension EfficientNetLite0 {
    /// See `Backbone.forward(_:height:width:stages:threads:)`. About 0.32 G
    /// multiply-adds at 256×256 to stage 4, O(H·W) in general; workspace
    /// 4·(2·32 + 96 + 32)·⌈H/2⌉·⌈W/2⌉ bytes plus the returned maps.
    public func forward(_ image: [Float], height: Int, width: Int, stages wanted: [Int], threads: Int) -> [FeatureMap] {
        precondition(image.count == 3 * height * width, "forward: expected a 3×H×W image")
        precondition(wanted.allSatisfy { (0..<7).contains($0) }, "forward: stages are 0…6")
        guard let deepest = wanted.max() else { return [] }
        let parts = max(1, threads)
        let used = blocks.filter { $0.stage <= deepest }
        let (sh, padTop) = ConvOps.same(height, kernel: 3, stride: 2)
        let (sw, padLeft) = ConvOps.same(width, kernel: 3, stride: 2)
        // Workspace: two activation buffers (block input and output, swapped
        // after each block), the expanded tensor (also the stem's im2col
        // matrix), the depthwise output, one padded plane per thread.
        var planes: [ConvOps.DepthwisePlane] = []
        var act = 32 * sh * sw, expanded = 27 * sh * sw, dw = 0, plane = 0
        var (h, w) = (sh, sw)
        for b in used {
            let g = ConvOps.DepthwisePlane(h: h, w: w, kernel: b.kernel, stride: b.stride)
            planes.append(g)
            if b.expand != nil { expanded = max(expanded, b.mid * h * w) }
            dw = max(dw, b.mid * g.oh * g.ow)
            act = max(act, b.cout * g.oh * g.ow)
            plane = max(plane, g.count)
            (h, w) = (g.oh, g.ow)
        }
        var found: [Int: FeatureMap] = [:]
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * act + expanded + dw + parts * plane) { space in
            image.withUnsafeBufferPointer { imageBuffer in
                parameters.withUnsafeBufferPointer { pb in
                    let p = pb.baseAddress!, input = imageBuffer.baseAddress!
                    var x = space.baseAddress!, y = x + act
                    let e = y + act, d = e + expanded, scratch = d + dw
                    // Part t of the pixel columns 0..<n of sgemm layers with
                    // tiles of `tile` columns (or tiles that divide it): whole tiles.
                    func columnRange(_ t: Int, _ n: Int, tile: Int) -> Range<Int> {
                        let tiles = Parallel.range(t, of: parts, in: (n + tile - 1) / tile)
                        return min(n, tiles.lowerBound * tile)..<min(n, tiles.upperBound * tile)
                    }
                    // Block i's project, on some columns: d → y (+ x).
                    func project(_ i: Int, columns: Range<Int>) {
                        let b = used[i], ohw = planes[i].oh * planes[i].ow
                        ConvOps.pointwise(d, cin: b.mid, hw: ohw, weight: p + b.project.weight, bias: p + b.project.bias,
                                          cout: b.cout, into: y, columns: columns, residual: b.residual ? UnsafePointer(x) : nil)
                    }
                    // After block i's project: its output becomes the next input.
                    func finish(_ i: Int) {
                        swap(&x, &y)
                        let b = used[i], g = planes[i]
                        if (i + 1 == used.count || used[i + 1].stage != b.stage) && wanted.contains(b.stage) {
                            found[b.stage] = FeatureMap(channels: b.cout, height: g.oh, width: g.ow,
                                                        values: Array(UnsafeBufferPointer(start: x, count: b.cout * g.oh * g.ow)))
                        }
                    }
                    Parallel.run(parts: parts) { t in
                        let columns = columnRange(t, sh * sw, tile: ConvOps.tileWidth(cin: 27, cout: 32))
                        ConvOps.im2col(input, cin: 3, h: height, w: width, kernel: 3, stride: 2, padTop: padTop,
                                       padLeft: padLeft, oh: sh, ow: sw, columns: columns, into: e)
                        ConvOps.pointwise(e, cin: 27, hw: sh * sw, weight: p + stem.weight, bias: p + stem.bias, cout: 32,
                                          into: x, columns: columns)
                    }
                    (h, w) = (sh, sw)
                    for (i, b) in used.enumerated() {
                        let g = planes[i]
                        // The previous block's project and this block's expand
                        // share a split by columns: no join between them.
                        if i > 0 || b.expand != nil {
                            let tile = max(i > 0 ? ConvOps.tileWidth(cin: used[i - 1].mid, cout: used[i - 1].cout) : 1,
                                           b.expand != nil ? ConvOps.tileWidth(cin: b.cin, cout: b.mid) : 1)
                            Parallel.run(parts: parts) { t in
                                let columns = columnRange(t, h * w, tile: tile)
                                if i > 0 { project(i - 1, columns: columns) }
                                if let ex = b.expand {
                                    let source = i > 0 ? y : x  // the previous output, not yet swapped in
                                    ConvOps.pointwise(source, cin: b.cin, hw: h * w, weight: p + ex.weight,
                                                      bias: p + ex.bias, cout: b.mid, into: e, columns: columns)
                                }
                            }
                            if i > 0 { finish(i - 1) }
                        }
                        let source = UnsafePointer(b.expand != nil ? e : x)
                        Parallel.run(parts: parts) { t in
                            ConvOps.depthwiseReLU6(source, plane: g, channels: Parallel.range(t, of: parts, in: b.mid),
                                                   weight: p + b.depthwise.weight, bias: p + b.depthwise.bias,
                                                   into: d, scratch: scratch + t * plane)
                        }
                        (h, w) = (g.oh, g.ow)
                    }
                    let last = used[used.count - 1]
                    let tile = ConvOps.tileWidth(cin: last.mid, cout: last.cout)
                    Parallel.run(parts: parts) { t in project(used.count - 1, columns: columnRange(t, h * w, tile: tile)) }
                    finish(used.count - 1)
                }
            }
        }
        return wanted.map { found[$0]! }
    }
}
