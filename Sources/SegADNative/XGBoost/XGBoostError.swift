internal import CXGBoost
import Foundation

/// A failed call into the XGBoost C library.
///
/// Carries the C function that failed, the status code it returned and
/// XGBoost's own message (`XGBGetLastError()`), so the one-line
/// `description` tells what went wrong in XGBoost's words, e.g.
/// `XGBoosterUpdateOneIter(0) failed (-1): ./src/objective/objective.cc:26:
/// Unknown objective function: `binary:nope` Objective candidate: …`.
public struct XGBoostError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The C function (or wrapper operation) that failed.
    public var operation: String
    /// The status code it returned (XGBoost uses -1 for failure).
    public var code: Int
    /// XGBoost's own message for the failure (as `XGBGetLastError()` gives
    /// it, less its timestamp prefix and the native stack trace that follows).
    public var message: String

    public init(operation: String, code: Int, message: String) {
        self.operation = operation
        self.code = code
        self.message = message
    }

    /// One line, `OPERATION failed (CODE): MESSAGE`: a multi-line message is
    /// joined and the C++ source locations XGBoost prefixes are dropped, so
    /// a stage prints a single readable line.
    public var description: String {
        "\(operation) failed (\(code)): \(xgbReadableMessage(message))"
    }
}

/// The one place a C status becomes a Swift error: 0 is success, anything
/// else throws `XGBoostError` with XGBoost's thread-local last-error text.
@inline(__always)
func xgbCheck(_ status: Int32, _ operation: @autoclosure () -> String) throws {
    guard status != 0 else { return }
    let raw = XGBGetLastError().map { String(cString: $0) } ?? ""
    let text = xgbTrimMessage(raw)
    throw XGBoostError(operation: operation(), code: Int(status),
                       message: text.isEmpty ? "(no message from XGBoost)" : text)
}

/// Drops what XGBoost's logger adds around a message: a leading
/// `[hh:mm:ss] ` timestamp and everything from `Stack trace:` on (frame
/// addresses that say nothing to a user).
func xgbTrimMessage(_ raw: String) -> String {
    var text = Substring(raw)
    if let range = text.firstRange(of: "Stack trace:") { text = text[..<range.lowerBound] }
    text = text.drop(while: \.isWhitespace)
    if text.first == "[", let close = text.firstIndex(of: "]"),
       text[text.index(after: text.startIndex)..<close].allSatisfy({ $0.isNumber || $0 == ":" }) {
        text = text[text.index(after: close)...].drop(while: \.isWhitespace)
    }
    while let last = text.last, last.isWhitespace { text.removeLast() }
    return String(text)
}

/// XGBoost's message without the source locations it names
/// (`/workspace/src/learner.cc:123: `) and on one line: what a user can read.
func xgbReadableMessage(_ message: String) -> String {
    let oneLine = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        .filter { !$0.isEmpty }.joined(separator: " ")
    let located = #/[^\s:]+\.(cc|h|cu|cuh|hpp|cpp):\d+: /#
    return oneLine.replacing(located, with: "")
}
