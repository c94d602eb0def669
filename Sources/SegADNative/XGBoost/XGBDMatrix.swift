internal import CXGBoost

/// A dense XGBoost data matrix (`DMatrix`) that owns its C handle.
///
/// Built from row-major `Float` values; entries equal to `missing` (NaN by
/// default, which XGBoost always treats as missing) are missing values.
/// Labels and weights are attached with `setLabels` / `setWeights`.
public final class XGBDMatrix {
    let handle: DMatrixHandle
    /// Number of rows (samples).
    public let rows: Int
    /// Number of columns (features).
    public let columns: Int

    /// Copies `values` (`rows × columns`, row-major) into a new DMatrix
    /// (`XGDMatrixCreateFromMat`).
    ///
    /// - Precondition: `values.count == rows * columns`, `rows, columns >= 0`.
    public init(values: [Float], rows: Int, columns: Int, missing: Float = .nan) throws {
        precondition(rows >= 0 && columns >= 0, "XGBDMatrix: negative shape \(rows)×\(columns)")
        precondition(values.count == rows * columns,
                     "XGBDMatrix: \(values.count) values for a \(rows)×\(columns) matrix")
        var out: DMatrixHandle?
        try values.withUnsafeBufferPointer { buffer in
            try xgbCheck(XGDMatrixCreateFromMat(buffer.baseAddress, bst_ulong(rows), bst_ulong(columns),
                                                missing, &out),
                         "XGDMatrixCreateFromMat")
        }
        guard let out else {
            throw XGBoostError(operation: "XGDMatrixCreateFromMat", code: 0, message: "returned no handle")
        }
        handle = out
        self.rows = rows
        self.columns = columns
    }

    deinit { XGDMatrixFree(handle) }

    /// Sets the training labels (`XGDMatrixSetFloatInfo` "label"), one per row.
    public func setLabels(_ labels: [Float]) throws {
        try setFloatInfo("label", labels)
    }

    /// Sets the per-row instance weights (`XGDMatrixSetFloatInfo` "weight").
    public func setWeights(_ w: [Float]) throws {
        try setFloatInfo("weight", w)
    }

    private func setFloatInfo(_ field: String, _ values: [Float]) throws {
        precondition(values.count == rows, "XGBDMatrix: \(values.count) \(field)s for \(rows) rows")
        try values.withUnsafeBufferPointer { buffer in
            try xgbCheck(XGDMatrixSetFloatInfo(handle, field, buffer.baseAddress, bst_ulong(values.count)),
                         "XGDMatrixSetFloatInfo(\(field))")
        }
    }
}
