internal import CXGBoost

/// An XGBoost learner (`Booster`) that owns its C handle.
///
/// Not safe for concurrent use: XGBoost returns prediction and model
/// buffers that stay valid only until the next call on the same booster, and
/// this class copies them out before returning.
public final class XGBBooster {
    let handle: BoosterHandle
    /// Matrices the booster caches; kept alive as long as the booster.
    private let cached: [XGBDMatrix]

    /// A new, untrained booster that caches `training` (`XGBoosterCreate`).
    public init(training: XGBDMatrix) throws {
        var out: BoosterHandle?
        var mats: [DMatrixHandle?] = [training.handle]
        try xgbCheck(XGBoosterCreate(&mats, 1, &out), "XGBoosterCreate")
        guard let out else {
            throw XGBoostError(operation: "XGBoosterCreate", code: 0, message: "returned no handle")
        }
        handle = out
        cached = [training]
    }

    /// A booster loaded from a saved model (`XGBoosterLoadModelFromBuffer`),
    /// e.g. the JSON of `jsonModel()` or one written by Python xgboost.
    /// The JSON is validated first (`XGBModelCheck`, docs/reliability.md,
    /// "One artifact gate"): XGBoost trusts a model's indices, so a crafted
    /// one could crash it or make scoring loop forever.
    ///
    /// - Parameters:
    ///   - source: the model's file, for the one-line error.
    ///   - limits: the depth and tree-count bounds (SegADCore's `Bounds`).
    /// - Throws: `XGBModelError` for a model refused by the check or by XGBoost.
    public init(json: String, source: String, limits: XGBModelLimits) throws {
        try XGBModelCheck.validate(json, source: source, limits: limits)
        var out: BoosterHandle?
        try xgbCheck(XGBoosterCreate(nil, 0, &out), "XGBoosterCreate")
        guard let out else {
            throw XGBoostError(operation: "XGBoosterCreate", code: 0, message: "returned no handle")
        }
        handle = out
        cached = []
        var bytes = Array(json.utf8)
        do {
            try bytes.withUnsafeMutableBytes { raw in
                try xgbCheck(XGBoosterLoadModelFromBuffer(out, raw.baseAddress, bst_ulong(raw.count)),
                             "XGBoosterLoadModelFromBuffer")
            }
        } catch let error as XGBoostError {
            throw XGBModelError.unloadable(source, message: xgbReadableMessage(error.message))
        }
    }

    deinit { XGBoosterFree(handle) }

    /// Sets one training parameter (`XGBoosterSetParam`). XGBoost checks
    /// names and values lazily, so a bad one may only throw at the next
    /// `updateOneIteration`.
    public func setParameter(_ name: String, _ value: String) throws {
        try xgbCheck(XGBoosterSetParam(handle, name, value), "XGBoosterSetParam(\(name)=\(value))")
    }

    /// Runs boosting round `iteration` (0-based) on `train` (`XGBoosterUpdateOneIter`).
    public func updateOneIteration(_ iteration: Int, _ train: XGBDMatrix) throws {
        try xgbCheck(XGBoosterUpdateOneIter(handle, Int32(iteration), train.handle),
                     "XGBoosterUpdateOneIter(\(iteration))")
    }

    /// Raw margins (untransformed scores), one per row, summed over all trees
    /// of all rounds (`iteration_end` 0 = every tree).
    public func predictMargins(_ data: XGBDMatrix) throws -> [Float] {
        let (values, shape) = try predict(data, type: 1)
        precondition(values.count == data.rows, "XGBoost returned \(values.count) margins for \(data.rows) rows (shape \(shape))")
        return values
    }

    /// Per-row SHAP feature contributions (`pred_contribs`), row-major
    /// `rows × (columns + 1)`; the last column is the bias, and each row sums
    /// to the row's margin.
    public func contributions(_ data: XGBDMatrix) throws -> (values: [Float], rows: Int, columns: Int) {
        let (values, shape) = try predict(data, type: 2)
        let rows = data.rows
        let columns = rows == 0 ? data.columns + 1 : values.count / rows
        precondition(rows * columns == values.count, "XGBoost contribution shape \(shape) for \(rows) rows")
        return (values, rows, columns)
    }

    /// `XGBoosterPredictFromDMatrix` with prediction `type`; copies the
    /// result out of XGBoost's thread-local buffer.
    private func predict(_ data: XGBDMatrix, type: Int) throws -> (values: [Float], shape: [Int]) {
        let config = #"{"type": \#(type), "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false}"#
        var shapePointer: UnsafePointer<bst_ulong>?
        var dimension: bst_ulong = 0
        var result: UnsafePointer<Float>?
        try xgbCheck(XGBoosterPredictFromDMatrix(handle, data.handle, config, &shapePointer, &dimension, &result),
                     "XGBoosterPredictFromDMatrix(type \(type))")
        var shape: [Int] = []
        var count = 1
        for i in 0..<Int(dimension) {
            let n = Int(shapePointer![i])
            shape.append(n)
            count *= n
        }
        guard count > 0, let result else { return ([], shape) }
        return (Array(UnsafeBufferPointer(start: result, count: count)), shape)
    }

    /// The model in XGBoost's JSON format (`XGBoosterSaveModelToBuffer`,
    /// `{"format": "json"}`), loadable by `init(json:)` and by Python
    /// `xgboost.Booster(model_file=…)`.
    public func jsonModel() throws -> String {
        var length: bst_ulong = 0
        var data: UnsafePointer<CChar>?
        try xgbCheck(XGBoosterSaveModelToBuffer(handle, #"{"format": "json"}"#, &length, &data),
                     "XGBoosterSaveModelToBuffer(json)")
        guard let data, length > 0 else { return "" }
        let bytes = UnsafeRawBufferPointer(start: data, count: Int(length))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The linked XGBoost library's version, e.g. "1.7.4" (`XGBoostVersion`).
    public static var libraryVersion: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        XGBoostVersion(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }
}
