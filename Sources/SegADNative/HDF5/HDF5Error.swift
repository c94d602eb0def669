internal import CHDF5

/// A failure reported by the HDF5 library (or refused by this wrapper before
/// calling it), with HDF5's own explanation taken from its error stack.
///
/// `description` is one line:
/// `FILE: HDF5 OPERATION failed on 'OBJECT' (code CODE): MESSAGE`.
public struct HDF5Error: Error, CustomStringConvertible, Equatable, Sendable {
    /// The C function that failed (`H5Dopen2`) or the wrapper operation that
    /// refused its arguments (`readRows`).
    public var operation: String
    /// The HDF5 file the operation worked on.
    public var path: String
    /// The dataset or attribute inside the file, when there is one.
    public var object: String?
    /// The status the C function returned (negative), or 0 when this wrapper
    /// refused the call itself without asking HDF5.
    public var code: Int
    /// HDF5's description of the innermost (most specific) error on its
    /// stack, or the wrapper's reason when `code` is 0.
    public var message: String

    public init(operation: String, path: String, object: String? = nil,
                code: Int, message: String) {
        self.operation = operation
        self.path = path
        self.object = object
        self.code = code
        self.message = message
    }

    /// True when HDF5 refused to read data or metadata whose checksum failed
    /// (Fletcher-32 on datasets, HDF5's own on metadata).
    public var isChecksumFailure: Bool { message.range(of: "checksum", options: .caseInsensitive) != nil }

    public var description: String {
        if isChecksumFailure {
            let fletcher = message.range(of: "fletcher", options: .caseInsensitive) != nil
            let what = object.map { "'\($0)'" } ?? "the file"
            return "\(path): damaged file: \(what) fails its \(fletcher ? "Fletcher-32" : "metadata") checksum; remake this artifact"
        }
        let on = object.map { " on '\($0)'" } ?? ""
        let oneLine = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        return "\(path): HDF5 \(operation) failed\(on) (code \(code)): \(oneLine)"
    }
}

extension HDF5Error {
    /// The one gate every HDF5 status passes through: a negative `status`
    /// (HDF5's failure convention for `herr_t`, `hid_t` and `htri_t`) becomes
    /// a thrown `HDF5Error` carrying the library's own message; anything else
    /// is returned unchanged.
    @discardableResult
    static func check<Status: BinaryInteger>(
        _ status: Status, _ operation: @autoclosure () -> String,
        path: String, object: String? = nil
    ) throws -> Status {
        guard status < 0 else { return status }
        throw HDF5Error(operation: operation(), path: path, object: object,
                        code: Int(status), message: takeStackMessage())
    }

    /// A refusal by the wrapper itself (bad shape, rows out of range).
    static func refused(_ operation: String, path: String, object: String?,
                        _ reason: String) -> HDF5Error {
        HDF5Error(operation: operation, path: path, object: object, code: 0, message: reason)
    }

    /// Reads the calling thread's HDF5 error stack, then clears it.
    ///
    /// Walking upward starts at the frame where the error was detected (the
    /// most specific one); its description is what we keep. When that frame
    /// has no description we fall back to its minor message, e.g.
    /// "Unable to open file".
    static func takeStackMessage() -> String {
        final class Found { var message: String? }
        let found = Found()
        let callback: H5E_walk2_t = { n, frame, context in
            guard n == 0, let frame, let context else { return 0 }
            let found = Unmanaged<Found>.fromOpaque(context).takeUnretainedValue()
            if let desc = frame.pointee.desc, desc.pointee != 0 {
                found.message = String(cString: desc)
            } else {
                found.message = HDF5Error.messageText(frame.pointee.min_num)
            }
            return 0
        }
        withExtendedLifetime(found) {
            _ = H5Ewalk2(segad_h5e_default(), H5E_WALK_UPWARD, callback,
                         Unmanaged.passUnretained(found).toOpaque())
        }
        _ = H5Eclear2(segad_h5e_default())
        return found.message ?? "no message on the HDF5 error stack"
    }

    private static func messageText(_ id: hid_t) -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        let length = H5Eget_msg(id, nil, &buffer, buffer.count)
        guard length > 0 else { return nil }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) },
                      as: UTF8.self)
    }
}
