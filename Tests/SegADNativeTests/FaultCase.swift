import SegADNative

/// The case name of a domain error (`truncated` for `ImageError.truncated(…)`),
/// for tables of faults whose detail text is checked separately; nil for an
/// error that is not a `SegADFault` enum.
func faultCase(_ error: Error) -> String? {
    guard error is any SegADFault, !(error is InputError) else { return nil }
    return Mirror(reflecting: error).children.first?.label
}
