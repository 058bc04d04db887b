// Single-pass reads of the response fields that the gzip middleware decides on, compared as ASCII bytes.

import SwitchyardPlugin

/// The response fields that decide whether gzip touches a response, found in one pass over the fields, because
/// each `HTTPHeaders` lookup walks every field and `listValues` allocates arrays.
struct GzipResponseFields {
    /// The first `Content-Type` value.
    var contentType: String?
    /// The first `Content-Length` value and the number of `Content-Length` fields.
    var contentLength: String?
    var contentLengthCount = 0
    var hasContentRange = false
    var hasContentEncoding = false
    /// Whether a `Cache-Control` field has the `no-transform` directive.
    var forbidsTransform = false

    init(_ headers: HTTPHeaders) {
        for field in headers.fields {
            switch field.name.utf8.count {
            case 12 where contentType == nil && HTTPHeaders.namesEqual(field.name, "Content-Type"):
                contentType = field.value
            case 13 where HTTPHeaders.namesEqual(field.name, "Content-Range"):
                hasContentRange = true
            case 13 where !forbidsTransform && HTTPHeaders.namesEqual(field.name, "Cache-Control"):
                forbidsTransform = Self.hasNoTransform(field.value)
            case 14 where HTTPHeaders.namesEqual(field.name, "Content-Length"):
                contentLengthCount += 1
                contentLength = contentLength ?? field.value
            case 16 where HTTPHeaders.namesEqual(field.name, "Content-Encoding"):
                hasContentEncoding = true
            default:
                break
            }
        }
    }

    /// The value of `Content-Length` when it is a single valid number, else nil.
    var contentLengthValue: Int? {
        guard contentLengthCount == 1, let value = contentLength, !value.isEmpty, value.utf8.count <= 18,
            value.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return Int(value)
    }

    /// Whether one `Cache-Control` value lists `no-transform`, with the member rules of
    /// `HTTPHeaders.listValues` and a case-insensitive comparison.
    static func hasNoTransform(_ value: String) -> Bool {
        var value = value
        let found = value.withUTF8 { bytes in
            ASCIIBytes.isASCII(bytes) ? ASCIIBytes.listContains(bytes, lowercased: "no-transform") : nil
        }
        // Non-ASCII text takes the string path: Unicode lowercasing and canonical equivalence can differ from a
        // byte comparison there.
        return found ?? HTTPHeaders([("Cache-Control", value)]).listValues("Cache-Control").contains {
            $0.lowercased() == "no-transform"
        }
    }
}

/// Configured media types, lowercased, matched against a `Content-Type` value without allocating.
struct MediaTypeMatcher {
    /// Media types without wildcards, and the top-level types given as `type/*`.
    let exactTypes: Set<String>
    let wildcardTypes: Set<String>
    private let exactBytes: [[UInt8]]
    private let wildcardBytes: [[UInt8]]

    /// `exactTypes` and `wildcardTypes` must be lowercased ASCII tokens, as the gzip options check.
    init(exactTypes: Set<String>, wildcardTypes: Set<String>) {
        self.exactTypes = exactTypes
        self.wildcardTypes = wildcardTypes
        exactBytes = exactTypes.sorted().map { Array($0.utf8) }
        wildcardBytes = wildcardTypes.sorted().map { Array($0.utf8) }
    }

    /// Whether the media type of `contentType` (before any `;`, trimmed, case-insensitive) is one of the types.
    func matches(contentType: String) -> Bool {
        var value = contentType
        let matched = value.withUTF8 { bytes in
            ASCIIBytes.isASCII(bytes) ? matches(mediaType: Self.mediaType(of: bytes)) : nil
        }
        return matched ?? matchesString(contentType)
    }

    /// The bytes before the first `;`, without surrounding spaces and tabs.
    private static func mediaType(of bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        let end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
        return ASCIIBytes.trimmed(UnsafeBufferPointer(rebasing: bytes[0..<end]))
    }

    private func matches(mediaType type: UnsafeBufferPointer<UInt8>) -> Bool {
        if exactBytes.contains(where: { ASCIIBytes.equalsLowercased(type, $0) }) {
            return true
        }
        guard !wildcardBytes.isEmpty, let slash = type.firstIndex(of: UInt8(ascii: "/")) else { return false }
        let topLevel = UnsafeBufferPointer(rebasing: type[0..<slash])
        return wildcardBytes.contains { ASCIIBytes.equalsLowercased(topLevel, $0) }
    }

    /// The string path for non-ASCII values, where Unicode lowercasing and canonical equivalence apply.
    private func matchesString(_ contentType: String) -> Bool {
        let end = contentType.firstIndex(of: ";") ?? contentType.endIndex
        let type = contentType[..<end].trimmingASCIIWhitespace().lowercased()
        if exactTypes.contains(type) {
            return true
        }
        guard !wildcardTypes.isEmpty, let slash = type.firstIndex(of: "/") else { return false }
        return wildcardTypes.contains(String(type[..<slash]))
    }
}

/// Comparisons on ASCII bytes. For ASCII text they return the same results as `lowercased()` and `==` on strings.
enum ASCIIBytes {
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        !bytes.contains { $0 >= 0x80 }
    }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    /// Whether `bytes`, lowercased, equal `lowercase`, which is already lowercase.
    static func equalsLowercased<Expected: Collection<UInt8>>(
        _ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: Expected
    ) -> Bool {
        bytes.count == lowercase.count && zip(bytes, lowercase).allSatisfy { lowercased($0) == $1 }
    }

    /// `bytes` without leading and trailing spaces and tabs.
    static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t") {
            start += 1
        }
        while end > start, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") {
            end -= 1
        }
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }

    /// Whether the comma-separated list in `bytes` has a member that equals `lowercase` case-insensitively.
    static func listContains(_ bytes: UnsafeBufferPointer<UInt8>, lowercased lowercase: StaticString) -> Bool {
        lowercase.withUTF8Buffer { expected in
            var start = 0
            while start <= bytes.count {
                let end = bytes[start...].firstIndex(of: UInt8(ascii: ",")) ?? bytes.count
                if equalsLowercased(trimmed(UnsafeBufferPointer(rebasing: bytes[start..<end])), expected) {
                    return true
                }
                start = end + 1
            }
            return false
        }
    }
}
