import Foundation

/// The forward pass of EfficientNet-Lite0, one image, on one or more threads.
///
/// Every layer but the depthwise convolutions is an sgemm (the stem through
/// im2col, one tile of columns at a time so the im2col tile stays in cache),
/// with the bias preloaded into the output and the ReLU6 that follows it
/// deferred to its only reader, the depthwise convolution, which clamps its
/// input while copying it into a padded plane and clamps its output before
/// storing it (`ConvOps.depthwiseReLU6`, C: Sources/CConvKernels). No layer
/// allocates: the activations live in one workspace sized for the deepest
/// stage asked.
///
/// A block whose expanded tensor would not fit a core's L2 (`fuseAbove`
/// floats; at 256×256 the first three blocks with an expand) runs expand
/// and depthwise fused, a band of output rows at a time: only the expanded
/// rows the band reads exist, in a per-thread window (`expandDepthwise`).
///
/// With t threads each layer is split t ways — the sgemm layers by pixel
/// columns, at boundaries of the fixed tiles of `ConvOps.pointwise` (each
/// part one-threaded sgemms on its tiles: the same calls whatever t), the
/// depthwise layers by channel, the fused blocks by bands of output rows
/// (a band's expanded rows are the same tiles whoever computes them) — with
/// a join between layers, except between a block's project and the next
/// block's expand, which share one split. The joins go through
/// `Parallel.session`, whose helper threads spin between them. The values
/// do not depend on t, on the fusion or on the instruction set.
extension EfficientNetLite0 {
    /// See `Backbone.forward(_:height:width:stages:threads:)`. About 0.32 G
    /// multiply-adds at 256×256 to stage 4, O(H·W) in general; workspace
    /// 4·(2·32 + 32)·⌈H/2⌉·⌈W/2⌉ bytes, at most 1 MB for an unfused expanded
    /// tensor, and per thread a fused block's window (mid·`windowStride`
    /// floats, 1.1 MB at most at 256×256) and a padded plane, plus the
    /// returned maps.
    public func forward(_ image: [Float], height: Int, width: Int, stages wanted: [Int], threads: Int) -> [FeatureMap] {
        forward(image, height: height, width: width, stages: wanted, threads: threads, fuseAbove: Self.fuseAbove)
    }

    /// The forward pass with blocks fused when their expanded tensor has more
    /// than `fuseAbove` floats (the tests run both ways: the values are the same).
    func forward(_ image: [Float], height: Int, width: Int, stages wanted: [Int], threads: Int,
                 fuseAbove: Int) -> [FeatureMap] {
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
        var fused: [Bool] = []
        // The stem's im2col tile lives in the per-thread scratch.
        var act = 32 * sh * sw, expanded = 0, dw = 0, plane = 27 * ConvOps.tileWidth(cin: 27, cout: 32), window = 0
        var (h, w) = (sh, sw)
        for b in used {
            let g = ConvOps.DepthwisePlane(h: h, w: w, kernel: b.kernel, stride: b.stride)
            planes.append(g)
            let fuse = b.expand != nil && b.mid * h * w > fuseAbove
            fused.append(fuse)
            if fuse {
                window = max(window, b.mid * Self.windowStride(g, tile: ConvOps.tileWidth(cin: b.cin, cout: b.mid)))
            } else if b.expand != nil {
                expanded = max(expanded, b.mid * h * w)
            }
            dw = max(dw, b.mid * g.oh * g.ow)
            act = max(act, b.cout * g.oh * g.ow)
            plane = max(plane, g.count)
            (h, w) = (g.oh, g.ow)
        }
        var found: [Int: FeatureMap] = [:]
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * act + expanded + dw + parts * (plane + window)) { space in
            image.withUnsafeBufferPointer { imageBuffer in
                parameters.withUnsafeBufferPointer { pb in
                  Parallel.session(parts: parts) { run in
                    let p = pb.baseAddress!, input = imageBuffer.baseAddress!
                    var x = space.baseAddress!, y = x + act
                    let e = y + act, d = e + expanded, scratch = d + dw, windows = scratch + parts * plane
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
                    // The stem tile by tile: each tile's im2col columns
                    // (27 × tile, in this thread's scratch) then its sgemm.
                    let stemTile = ConvOps.tileWidth(cin: 27, cout: 32)
                    run { t in
                        let columns = columnRange(t, sh * sw, tile: stemTile)
                        let cols = scratch + t * plane
                        for c0 in stride(from: columns.lowerBound, to: columns.upperBound, by: stemTile) {
                            let tile = c0..<min(columns.upperBound, c0 + stemTile)
                            ConvOps.im2col(input, cin: 3, h: height, w: width, kernel: 3, stride: 2, padTop: padTop,
                                           padLeft: padLeft, oh: sh, ow: sw, columns: tile, into: cols,
                                           window: (stemTile, c0))
                            ConvOps.pointwise(cols, cin: 27, hw: sh * sw, weight: p + stem.weight, bias: p + stem.bias,
                                              cout: 32, into: x, columns: tile, inputWindow: (stemTile, c0))
                        }
                    }
                    (h, w) = (sh, sw)
                    for (i, b) in used.enumerated() {
                        let g = planes[i]
                        // The previous block's project and this block's expand
                        // share a split by columns: no join between them.
                        let expandNow = b.expand != nil && !fused[i]
                        if i > 0 || expandNow {
                            let tile = max(i > 0 ? ConvOps.tileWidth(cin: used[i - 1].mid, cout: used[i - 1].cout) : 1,
                                           expandNow ? ConvOps.tileWidth(cin: b.cin, cout: b.mid) : 1)
                            run { t in
                                let columns = columnRange(t, h * w, tile: tile)
                                if i > 0 { project(i - 1, columns: columns) }
                                if expandNow, let ex = b.expand {
                                    let source = i > 0 ? y : x  // the previous output, not yet swapped in
                                    ConvOps.pointwise(source, cin: b.cin, hw: h * w, weight: p + ex.weight,
                                                      bias: p + ex.bias, cout: b.mid, into: e, columns: columns)
                                }
                            }
                            if i > 0 { finish(i - 1) }
                        }
                        if fused[i] {
                            let input = UnsafePointer(x)
                            run { t in
                                self.expandDepthwise(b, plane: g, input: input, parameters: p,
                                                     rows: Self.rowRange(t, of: parts, in: g.oh),
                                                     window: windows + t * window, scratch: scratch + t * plane, into: d)
                            }
                        } else {
                            let source = UnsafePointer(b.expand != nil ? e : x)
                            run { t in
                                ConvOps.depthwiseReLU6(source, plane: g, channels: Parallel.range(t, of: parts, in: b.mid),
                                                       weight: p + b.depthwise.weight, bias: p + b.depthwise.bias,
                                                       into: d, scratch: scratch + t * plane)
                            }
                        }
                        (h, w) = (g.oh, g.ow)
                    }
                    let last = used[used.count - 1]
                    let tile = ConvOps.tileWidth(cin: last.mid, cout: last.cout)
                    run { t in project(used.count - 1, columns: columnRange(t, h * w, tile: tile)) }
                    finish(used.count - 1)
                  }
                }
            }
        }
        return wanted.map { found[$0]! }
    }
}

extension EfficientNetLite0 {
    /// Blocks whose expanded tensor has more floats than this (1 MB, a
    /// core's L2 here) run expand and depthwise fused, band by band.
    static let fuseAbove = 1 << 18
    /// Output rows per band of the fused blocks (8 measured a little faster than 4 or 16).
    static let band = 8

    /// Floats per channel of a fused block's window: the input rows one band
    /// reads, plus a tile of slack at each end (the window starts and ends
    /// on tile boundaries) and a row (it is addressed from a row's start).
    static func windowStride(_ g: ConvOps.DepthwisePlane, tile: Int) -> Int {
        ((band - 1) * g.stride + g.kernel + 1) * g.w + 2 * tile
    }

    /// The `part`-th of `parts` pieces of 0..<n rows, cut at multiples of the band.
    static func rowRange(_ part: Int, of parts: Int, in n: Int) -> Range<Int> {
        let bands = Parallel.range(part, of: parts, in: (n + band - 1) / band)
        return min(n, bands.lowerBound * band)..<min(n, bands.upperBound * band)
    }

    /// Block `b`'s expand and depthwise on output rows `rows`, band by band:
    /// before each band, the expanded input rows it reads that the window
    /// lacks are computed into it (whole tiles of `ConvOps.pointwise`, so
    /// the values are those of the unfused pass), rows no longer needed are
    /// dropped; the expanded tensor never exists whole. O(mid·(cin + k²)·pixels).
    func expandDepthwise(_ b: Block, plane g: ConvOps.DepthwisePlane, input: UnsafePointer<Float>,
                         parameters p: UnsafePointer<Float>, rows: Range<Int>,
                         window: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                         into d: UnsafeMutablePointer<Float>) {
        guard let ex = b.expand, !rows.isEmpty else { return }
        let hw = g.h * g.w, tile = ConvOps.tileWidth(cin: b.cin, cout: b.mid)
        let stride = Self.windowStride(g, tile: tile)
        // The window holds expanded pixels [ca, cb); pixel q of channel c
        // is at window[c·stride + q − row0·w].
        var ca = 0, cb = 0, row0 = 0
        var oy = rows.lowerBound
        while oy < rows.upperBound {
            let end = min(oy + Self.band, rows.upperBound)
            let needStart = max(0, oy * g.stride - g.padTop) * g.w
            let needEnd = min(g.h, (end - 1) * g.stride - g.padTop + g.kernel) * g.w
            if needEnd > needStart {
                let start = needStart / tile * tile
                if oy == rows.lowerBound || start >= cb {
                    (ca, cb, row0) = (start, start, start / g.w)
                } else if start > ca {
                    let newRow0 = start / g.w
                    if newRow0 != row0 {
                        for c in 0..<b.mid {
                            let channel = window + c * stride
                            memmove(channel + start - newRow0 * g.w, channel + start - row0 * g.w,
                                    (cb - start) * MemoryLayout<Float>.size)
                        }
                    }
                    (ca, row0) = (start, newRow0)
                }
                let upTo = min(hw, (needEnd + tile - 1) / tile * tile)
                if upTo > cb {
                    ConvOps.pointwise(input, cin: b.cin, hw: hw, weight: p + ex.weight, bias: p + ex.bias, cout: b.mid,
                                      into: window, columns: cb..<upTo, window: (stride, row0 * g.w))
                    cb = upTo
                }
            }
            ConvOps.depthwiseReLU6(window, plane: g, channels: 0..<b.mid, rows: oy..<end, window: (stride, row0),
                                   weight: p + b.depthwise.weight, bias: p + b.depthwise.bias, into: d, scratch: scratch)
            oy = end
        }
    }
}

