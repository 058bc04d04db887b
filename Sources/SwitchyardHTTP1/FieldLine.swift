// Parsing of one field line (`name: value`) of a header or trailer section, RFC 9112 section 5.

/// A field line split into its name and trimmed value, both as ranges of the input.
struct FieldLine {
    var name: Range<Int>
    var value: Range<Int>
    var valueIsASCII: Bool

    /// Splits and validates a field line found by `LineFinder`, which already rejected every control byte but HTAB.
    ///
    /// Rejects obs-fold, whitespace or other non-token bytes in the name, and a missing colon.
    init(parsing input: UnsafeRawBufferPointer, line found: LineFinder.Line) throws(HTTP1ParseError) {
        let line = found.content
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
        valueIsASCII = found.isASCII
    }

    /// Makes the public field. Values with obs-text must be valid UTF-8, so the String keeps every byte.
    func makeField(in input: UnsafeRawBufferPointer) throws(HTTP1ParseError) -> HTTP1Field {
        let nameString = input.makeFieldName(name)
        if valueIsASCII {
            return HTTP1Field(name: nameString, value: input.makeFieldValue(value))
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
        default:
            return .badRequest("invalid character 0x\(String(input[index], radix: 16)) in field name")
        }
    }
}
