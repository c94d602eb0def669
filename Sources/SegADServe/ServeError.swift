import Foundation
import SegADNative

/// A refused request or start-up: one line, and for a request the HTTP
/// status it is answered with (docs/serving.md, "Errors").
public enum ServeError: Error, CustomStringConvertible, Sendable {
    case nonLocalBindNeedsToken(String)
    case badTokenFile(String, reason: String)
    case unauthorized
    case bodyTooLarge(limit: Int)
    case emptyBody
    case queueFull(Int)
    case badImage(String)
    case badMultipart(String)
    case notFound(String)
    case badPartId(String)
    case badVerdict(String)
    case noReviewFolder
    case noRecord
    case badSince(String)
    case folderUnusable(String, reason: String)

    public var description: String {
        switch self {
        case .nonLocalBindNeedsToken(let host):
            return "--bind \(InputError.printable(host)): not a loopback address; serving beyond this machine needs --token-file"
        case .badTokenFile(let path, let reason): return "\(InputError.printable(path)): \(reason)"
        case .unauthorized: return "missing or wrong bearer token (Authorization: Bearer …)"
        case .bodyTooLarge(let limit): return "request body over the limit of \(limit) bytes (--max-body)"
        case .emptyBody: return "empty request body: send the image's bytes (PNG, JPEG or TIFF)"
        case .queueFull(let n): return "busy: \(n) requests already admitted (--queue); try again"
        case .badImage(let reason): return reason
        case .badMultipart(let reason): return "multipart body: \(reason)"
        case .notFound(let what): return "no such resource: \(InputError.printable(what))"
        case .badPartId(let id): return "X-Part-Id \(InputError.printable(id)): at most 200 printable characters"
        case .badVerdict(let v): return "verdict \(InputError.printable(v)): expected good or bad"
        case .noReviewFolder: return "no --review-folder given: verdicts cannot be written"
        case .noRecord: return "no --record given: nothing to review"
        case .badSince(let s): return "--since \(InputError.printable(s)): not an ISO 8601 time (e.g. 2026-12-07T21:00:00Z)"
        case .folderUnusable(let path, let reason): return "\(InputError.printable(path)): \(reason)"
        }
    }

    /// The HTTP status a request refused so is answered with.
    public var status: Int {
        switch self {
        case .unauthorized: return 401
        case .bodyTooLarge: return 413
        case .queueFull: return 429
        case .notFound: return 404
        case .emptyBody, .badImage, .badMultipart, .badPartId, .badVerdict: return 400
        case .noReviewFolder, .noRecord: return 409
        default: return 500
        }
    }
}
