// Byte-level checks shared by the built-in middleware: HTTP tokens, field values and ASCII prefixes.

/// Checks of RFC 9110 syntax on UTF-8 bytes.
enum HTTPSyntax {
    /// Whether `byte` is a `tchar` (RFC 9110 section 5.6.2).
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// Whether `text` is a non-empty token, the syntax of field names and content codings.
    static func isToken<S: StringProtocol>(_ text: S) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy(isTokenCharacter)
    }

    /// Whether `text` may be sent as a field value: it contains no CR, LF or NUL, which would end or corrupt the
    /// field.
    static func isSafeFieldValue<S: StringProtocol>(_ text: S) -> Bool {
        !text.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }
    }

    /// Field names that the gateway manages itself: message framing and hop-by-hop fields (RFC 9110 section 7.6.1).
    static let gatewayManagedFields: Set<String> = [
        "connection", "content-length", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
        "upgrade",
    ]
}

/// ASCII helpers on UTF-8 text.
enum ASCII {
    /// The index after `prefix` when `text` starts with it, compared ASCII case-insensitively, else nil.
    static func prefixEnd(_ text: Substring, _ prefix: StaticString) -> String.Index? {
        let utf8 = text.utf8
        let length = prefix.utf8CodeUnitCount
        guard utf8.count >= length else { return nil }
        let end = utf8.index(utf8.startIndex, offsetBy: length)
        let matches = prefix.withUTF8Buffer { prefixBytes in
            zip(utf8[..<end], prefixBytes).allSatisfy { $0 | 0x20 == $1 | 0x20 }
        }
        return matches ? end : nil
    }
}
