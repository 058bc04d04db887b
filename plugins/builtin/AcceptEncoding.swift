// Content negotiation helpers for gzip: Accept-Encoding q-values, Vary and ETag.

import SwitchyardPlugin

enum ContentNegotiation {
    /// Whether the request's `Accept-Encoding` accepts gzip (RFC 9110 section 12.5.3). An explicit `gzip` (or
    /// `x-gzip`) member decides by its q-value; otherwise `*` decides; `identity` does not matter. A request without
    /// the field gets no compression, because some clients that omit it cannot decode gzip.
    static func acceptsGzip(_ headers: HTTPHeaders) -> Bool {
        var gzip: Bool?
        var wildcard: Bool?
        for member in headers.listValues("Accept-Encoding") {
            let parts = member.split(separator: ";", omittingEmptySubsequences: false)
            let coding = parts[0].trimmingASCIIWhitespace().lowercased()
            let accepted = isAccepted(parameters: parts.dropFirst())
            if coding == "gzip" || coding == "x-gzip" {
                gzip = (gzip ?? false) || accepted
            } else if coding == "*" {
                wildcard = (wildcard ?? false) || accepted
            }
        }
        return gzip ?? wildcard ?? false
    }

    /// Whether a member's parameters leave it acceptable: true unless `q` is zero or malformed.
    private static func isAccepted(parameters: ArraySlice<Substring>) -> Bool {
        for parameter in parameters {
            let trimmed = parameter.trimmingASCIIWhitespace()
            guard trimmed.utf8.count >= 2, trimmed.utf8.first.map({ $0 | 0x20 }) == UInt8(ascii: "q"),
                trimmed.utf8.dropFirst().first == UInt8(ascii: "=")
            else { continue }
            return isPositiveQValue(trimmed.dropFirst(2))
        }
        return true
    }

    /// Whether `text` is a valid qvalue above zero: `0`, `0.5`, `1`, `1.000` (RFC 9110 section 12.4.2). A malformed
    /// value counts as zero, so a garbled field never turns compression on.
    private static func isPositiveQValue(_ text: Substring) -> Bool {
        let utf8 = Array(text.utf8)
        guard let first = utf8.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return false }
        if utf8.count > 1 {
            guard utf8[1] == UInt8(ascii: "."), utf8.count <= 5,
                utf8[2...].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
            else { return false }
        }
        return utf8.contains { $0 >= UInt8(ascii: "1") && $0 <= UInt8(ascii: "9") }
    }

    /// Adds `Accept-Encoding` to `Vary`, merged into an existing field and not repeated; `Vary: *` stays as is.
    static func addVaryAcceptEncoding(_ headers: inout HTTPHeaders) {
        let members = headers.listValues("Vary")
        guard !members.contains(where: { $0 == "*" || $0.lowercased() == "accept-encoding" }) else { return }
        if members.isEmpty {
            headers.remove("Vary")
            headers.add("Vary", "Accept-Encoding")
        } else {
            headers.set("Vary", (members.map(String.init) + ["Accept-Encoding"]).joined(separator: ", "))
        }
    }

    /// Turns a strong `ETag` into a weak one, because a transformed body is no longer byte-identical to the
    /// representation that the strong tag names (RFC 9110 section 8.8.1).
    static func weakenETag(_ headers: inout HTTPHeaders) {
        guard let etag = headers["ETag"], etag.hasPrefix("\"") else { return }
        headers.set("ETag", "W/" + etag)
    }
}
