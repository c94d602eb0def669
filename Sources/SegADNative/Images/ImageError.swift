/// A fault in an image, label map or `.npy` file: it cannot be opened, is
/// not an image, declares a size out of bounds, is truncated, or holds
/// samples the readers refuse. Also the writers' refusals (test fixtures,
/// figures). `description` is the stage's one line, `FILE: FAULT`.
public enum ImageError: SegADFault, Equatable {
    /// `open` failed; `reason` is the system's (strerror) text.
    case cannotOpen(String, reason: String)
    case isFolder(String)
    case emptyFile(String)
    /// Neither PNG, JPEG nor TIFF by its first bytes.
    case notAnImage(String)
    /// Readable, but smaller than the detectors need.
    case tooSmall(String, height: Int, width: Int, minSide: Int)
    /// The header declares a width or height of 0.
    case declaredEmpty(String, format: String, height: Int, width: Int)
    /// The header declares more than `ImageLimits` accepts.
    case tooLarge(String, format: String, height: Int, width: Int)
    /// The header declares more pixels than the file's data can hold.
    case sizeExceedsData(String, format: String, height: Int, width: Int)
    /// A CMYK or YCCK JPEG; `colorSpace` is libjpeg's name for it.
    case cmykRefused(String, colorSpace: String)
    /// Data end early or are corrupt; `detail` is the whole fault text.
    case truncated(String, detail: String)
    /// Samples, channels, planes or a dtype the readers do not take; `detail`
    /// is the whole fault text (it says what to convert to).
    case unsupported(String, detail: String)
    /// A decoder's refusal of a damaged or foreign file (libpng's, libjpeg's,
    /// libtiff's message or the .npy header parser's); `detail` is the whole
    /// fault text.
    case unreadable(String, detail: String)
    /// A label value that is not an integer or does not fit `Int32`.
    case labelValue(String, value: String, index: Int, reason: String)
    /// A writer's refusal or failure; `detail` is the whole fault text.
    case cannotWrite(String, detail: String)

    public var file: String {
        switch self {
        case .cannotOpen(let f, _), .isFolder(let f), .emptyFile(let f), .notAnImage(let f),
             .tooSmall(let f, _, _, _), .declaredEmpty(let f, _, _, _), .tooLarge(let f, _, _, _),
             .sizeExceedsData(let f, _, _, _), .cmykRefused(let f, _), .truncated(let f, _),
             .unsupported(let f, _), .unreadable(let f, _), .labelValue(let f, _, _, _),
             .cannotWrite(let f, _):
            return f
        }
    }

    public var fault: String {
        switch self {
        case .cannotOpen(_, let reason): return "cannot open: \(reason)"
        case .isFolder: return "is a folder; \(ImageFile.notAnImage)"
        case .emptyFile: return "the file is empty; \(ImageFile.notAnImage)"
        case .notAnImage: return ImageFile.notAnImage
        case .tooSmall(_, let h, let w, let minSide):
            return "image is \(h)×\(w) pixels (height×width); at least \(minSide) a side is needed"
        case .declaredEmpty(_, let format, let h, let w): return "\(format) declares an empty image (\(h)×\(w))"
        case .tooLarge(_, let format, let h, let w):
            return "\(format) declares \(h)×\(w) pixels (height×width); at most \(ImageLimits.maxSide) a side and "
                + "\(ImageLimits.maxPixels) pixels are accepted — downscale the image (or raise SEGAD_MAX_PIXELS)"
        case .sizeExceedsData(_, let format, let h, let w):
            return "\(format) declares \(h)×\(w) pixels, more than its data can hold (corrupt header)"
        case .cmykRefused(_, let colorSpace):
            return "JPEG holds \(colorSpace) color, which is not supported; convert to RGB or gray"
        case .labelValue(_, let value, let index, let reason): return "value \(value) at flat index \(index) \(reason)"
        case .truncated(_, let detail), .unsupported(_, let detail), .unreadable(_, let detail),
             .cannotWrite(_, let detail):
            return detail
        }
    }

    /// A C shim's open failure (`cannot open: REASON`) as `.cannotOpen`, any
    /// other message as `.unreadable`.
    static func opening(_ path: String, _ message: String) -> ImageError {
        let prefix = "cannot open: "
        return message.hasPrefix(prefix) ? .cannotOpen(path, reason: String(message.dropFirst(prefix.count)))
            : .unreadable(path, detail: message)
    }
}
