// Serialization of HTTP/1.1 heads, chunk framing and trailers into a byte buffer.

/// Writes HTTP/1.1 messages into a reusable `[UInt8]` buffer.
///
/// The encoder never writes a CR, LF or other control byte from its inputs, so a field value set by a plugin
/// cannot split a message. Fields whose name is not a token are skipped. Control bytes (HTAB excepted) in values
/// and in the reason phrase become SP. Bytes of the target outside VCHAR are percent-encoded, and bytes of the
/// method that are not token characters become `_`. Callers that want to reject such input should check it first
/// with `isValidFieldName` and `isValidFieldValue`.
public enum HTTP1Encoder {
    /// The CRLF that ends the data of each chunk.
    public static let chunkTrailer: [UInt8] = crlf

    private static let crlf: [UInt8] = [ASCII.cr, ASCII.lf]

    /// Appends `method target HTTP/1.1`, the fields and the empty line.
    public static func appendRequestHead(method: String, target: String, fields: [HTTP1Field], into buffer: inout [UInt8]) {
        for byte in method.utf8 {
            buffer.append(isTokenChar(byte) ? byte : UInt8(ascii: "_"))
        }
        buffer.append(ASCII.space)
        appendTarget(target, into: &buffer)
        buffer.append(contentsOf: " HTTP/1.1\r\n".utf8)
        appendFields(fields, into: &buffer)
        buffer.append(contentsOf: crlf)
    }

    /// Appends `HTTP/1.1 status reason`, the fields and the empty line. A status outside 100...999 is written as 500.
    public static func appendResponseHead(status: Int, reason: String, fields: [HTTP1Field], into buffer: inout [UInt8]) {
        let code = (100...999).contains(status) ? status : 500
        buffer.append(contentsOf: "HTTP/1.1 ".utf8)
        buffer.append(ASCII.zero + UInt8(code / 100))
        buffer.append(ASCII.zero + UInt8(code / 10 % 10))
        buffer.append(ASCII.zero + UInt8(code % 10))
        buffer.append(ASCII.space)
        appendValue(reason, into: &buffer)
        buffer.append(contentsOf: crlf)
        appendFields(fields, into: &buffer)
        buffer.append(contentsOf: crlf)
    }

    /// Appends the chunk-size line `<lowercase hex>\r\n` for a chunk of `size` bytes.
    ///
    /// `size` must be positive: a zero size is the last-chunk marker, which `appendLastChunk` writes.
    public static func appendChunkHeader(size: Int, into buffer: inout [UInt8]) {
        precondition(size > 0, "chunk size \(size) must be positive; end the body with appendLastChunk")
        var shift = (Int.bitWidth - size.leadingZeroBitCount - 1) / 4 * 4
        while shift >= 0 {
            let digit = UInt8((size >> shift) & 0xF)
            buffer.append(digit < 10 ? ASCII.zero + digit : UInt8(ascii: "a") + digit - 10)
            shift -= 4
        }
        buffer.append(contentsOf: crlf)
    }

    /// Appends the last chunk `0\r\n`, the trailer fields and the final empty line.
    public static func appendLastChunk(trailers: [HTTP1Field], into buffer: inout [UInt8]) {
        buffer.append(ASCII.zero)
        buffer.append(contentsOf: crlf)
        appendFields(trailers, into: &buffer)
        buffer.append(contentsOf: crlf)
    }

    /// Appends `name: value\r\n` per field, skipping fields whose name is not a token.
    public static func appendFields(_ fields: [HTTP1Field], into buffer: inout [UInt8]) {
        for field in fields where isValidFieldName(field.name) {
            buffer.append(contentsOf: field.name.utf8)
            buffer.append(ASCII.colon)
            buffer.append(ASCII.space)
            appendValue(field.value, into: &buffer)
            buffer.append(contentsOf: crlf)
        }
    }

    /// Returns whether `name` is a non-empty token, the only form a field name may take.
    public static func isValidFieldName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy(isTokenChar)
    }

    /// Returns whether `value` has no control byte other than HTAB and no leading or trailing whitespace.
    public static func isValidFieldValue(_ value: String) -> Bool {
        let bytes = value.utf8
        if let first = bytes.first, let last = bytes.last, isWhitespace(first) || isWhitespace(last) {
            return false
        }
        return bytes.allSatisfy(isFieldValueByte)
    }

    private static func appendValue(_ value: String, into buffer: inout [UInt8]) {
        for byte in value.utf8 {
            buffer.append(isFieldValueByte(byte) ? byte : ASCII.space)
        }
    }

    private static func appendTarget(_ target: String, into buffer: inout [UInt8]) {
        let hexDigits: StaticString = "0123456789ABCDEF"
        for byte in target.utf8 {
            if isVisible(byte) {
                buffer.append(byte)
            } else {
                buffer.append(UInt8(ascii: "%"))
                buffer.append(hexDigits.utf8Start[Int(byte >> 4)])
                buffer.append(hexDigits.utf8Start[Int(byte & 0xF)])
            }
        }
    }
}
