/// A dense float32 tensor in row-major (C) order: the element at index
/// (i₀, …, iₙ₋₁) is `values[((i₀·s₁ + i₁)·s₂ + …)]` for shape (s₀, …, sₙ₋₁).
///
/// Weights read from checkpoints and the fitted state of detectors are stored
/// as named tensors of this type, whatever their type on disk.
public struct Tensor: Sendable, Equatable {
    /// The extent of each dimension; `[]` is a scalar holding one value.
    public var shape: [Int]
    /// `shape.reduce(1, *)` values in row-major order.
    public var values: [Float]

    /// Creates a tensor; `values.count` must equal the product of `shape`.
    public init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count,
                     "Tensor: \(values.count) values do not fill shape \(shape)")
        self.shape = shape
        self.values = values
    }

    /// The number of elements, the product of `shape`.
    public var count: Int { values.count }
}
