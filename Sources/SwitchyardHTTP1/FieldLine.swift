// Parsing of one field line (`name: value`) of a header or trailer section, RFC 9112 section 5.

/// A field line split into its name and trimmed value, both as ranges of the input.
struct FieldLine {
    var name: Range<Int>
    var value: Range<Int>
    var valueIsASCII: Bool

    /// Splits and validates the field line `line` (CRLF excluded).
    ///
    /// Rejects obs-fold, whitespace or other non-token bytes in the name, a missing colon, and any CTL but HTAB
    /// in the value (so a bare CR or a NUL is rejected).
    init(parsing input: UnsafeRawBufferPointer, line: Range<Int>) throws(HTTP1ParseError) {
        let first = input[line.lowerBound]
        if isWhitespace(first) {
            throw .badRequest("field line starts with whitespace (obsolete line folding is not accepted)")
        }

        let nameEnd = input.skippingToken(from: line.lowerBound, to: line.upperBound)
        guard nameEnd < line.upperBound, input[nameEnd] == ASCII.colon else {
            throw FieldLine.nameError(input: input, at: nameEnd, lineEnd: line.upperBound)
        }
        guard nameEnd > line.lowerBound else {
            throw .badRequest("field line has an empty name")
        }

        name = line.lowerBound..<nameEnd
        value = input.trimmingWhitespace((nameEnd + 1)..<line.upperBound)
        valueIsASCII = try FieldLine.validateValue(input: input, range: value)
    }

    /// Makes the public field. Values with obs-text must be valid UTF-8, so the String keeps every byte.
    func makeField(in input: UnsafeRawBufferPointer) throws(HTTP1ParseError) -> HTTP1Field {
        let nameString = input.makeString(name)
        if valueIsASCII {
            return HTTP1Field(name: nameString, value: input.makeString(value))
        }
        let bytes = UnsafeRawBufferPointer(rebasing: input[value])
        guard let valueString = String(validating: bytes, as: UTF8.self) else {
            throw .badRequest("value of field \(nameString) is not valid UTF-8")
        }
        return HTTP1Field(name: nameString, value: valueString)
    }

    private static func nameError(input: UnsafeRawBufferPointer, at index: Int, lineEnd: Int) -> HTTP1ParseError {
        guard index < lineEnd else {
            return .badRequest("field line has no colon")
        }
        switch input[index] {
        case ASCII.space, ASCII.tab:
            return .badRequest("whitespace between field name and colon")
        case ASCII.cr:
            return .badRequest("bare CR in field name")
        default:
            return .badRequest("invalid character 0x\(String(input[index], radix: 16)) in field name")
        }
    }

    /// Returns whether the value is all ASCII, after rejecting CTLs other than HTAB.
    private static func validateValue(
        input: UnsafeRawBufferPointer, range: Range<Int>
    ) throws(HTTP1ParseError) -> Bool {
        var combined: UInt8 = 0
        for index in range {
            let byte = input[index]
            guard isFieldValueByte(byte) else {
                throw valueError(byte)
            }
            combined |= byte
        }
        return combined < 0x80
    }

    private static func valueError(_ byte: UInt8) -> HTTP1ParseError {
        switch byte {
        case ASCII.cr:
            return .badRequest("bare CR in field value")
        case 0:
            return .badRequest("NUL in field value")
        default:
            return .badRequest("control character 0x\(String(byte, radix: 16)) in field value")
        }
    }
}
