// Facts gathered from the framing and connection fields of a head: Content-Length, Transfer-Encoding,
// Connection, Host and Expect.

/// Facts from a head's framing and connection fields, read from the raw bytes as each field line is parsed.
///
/// Fields that cannot be valid on their own (a malformed Content-Length, a bad transfer coding) throw at once.
/// Conflicts between fields (Content-Length with Transfer-Encoding, two Host fields) are decided by the decoders
/// once the head is complete.
struct FramingFacts {
    /// Whether Host and Expect are read; a response's Host or Expect field means nothing.
    let isRequest: Bool

    /// The Content-Length value; several fields or list members are accepted only when all are equal.
    var contentLength: UInt64?
    var hasTransferEncoding = false
    var chunkedCount = 0
    var lastCodingIsChunked = false
    /// Number of transfer codings other than chunked, which this codec does not decode.
    var otherCodingCount = 0
    var hostCount = 0
    var connectionTokens: [String] = []
    var hasCloseToken = false
    var hasKeepAliveToken = false
    var expectsContinue = false
    var hasUnknownExpectation = false

    init(isRequest: Bool) {
        self.isRequest = isRequest
    }

    /// Reads the field if its name is one of the framing or connection fields.
    mutating func record(_ field: FieldLine, in input: UnsafeRawBufferPointer) throws(HTTP1ParseError) {
        switch field.name.count {
        case 4 where isRequest && input.equalsIgnoringCase(field.name, "host"):
            try recordHost(field.value, in: input)
        case 6 where isRequest && input.equalsIgnoringCase(field.name, "expect"):
            recordExpect(field.value, in: input)
        case 10 where input.equalsIgnoringCase(field.name, "connection"):
            try recordConnection(field.value, in: input)
        case 14 where input.equalsIgnoringCase(field.name, "content-length"):
            try recordContentLength(field.value, in: input)
        case 17 where input.equalsIgnoringCase(field.name, "transfer-encoding"):
            try recordTransferEncoding(field.value, in: input)
        default:
            break
        }
    }

    /// Parses `1#DIGIT` members; equal members collapse to one value (RFC 9110 section 8.6), others are rejected.
    private mutating func recordContentLength(
        _ value: Range<Int>, in input: UnsafeRawBufferPointer
    ) throws(HTTP1ParseError) {
        var cursor = value.lowerBound
        while true {
            let memberStart = input.skippingWhitespace(from: cursor, to: value.upperBound)
            let (length, memberEnd) = try FramingFacts.parseDecimal(input, from: memberStart, to: value.upperBound)
            if let existing = contentLength, existing != length {
                throw .badRequest("Content-Length values differ (\(existing) and \(length))")
            }
            contentLength = length

            cursor = input.skippingWhitespace(from: memberEnd, to: value.upperBound)
            if cursor == value.upperBound {
                return
            }
            guard input[cursor] == ASCII.comma else {
                throw .badRequest("Content-Length is not a decimal number")
            }
            cursor += 1
        }
    }

    /// Parses one or more ASCII digits starting at `start` into a UInt64.
    private static func parseDecimal(
        _ input: UnsafeRawBufferPointer, from start: Int, to end: Int
    ) throws(HTTP1ParseError) -> (UInt64, Int) {
        var value: UInt64 = 0
        var index = start
        while index < end, input[index] >= 0x30, input[index] <= 0x39 {
            let (product, productOverflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, sumOverflow) = product.addingReportingOverflow(UInt64(input[index] - 0x30))
            guard !productOverflow, !sumOverflow else {
                throw .badRequest("Content-Length is larger than 2^64 - 1")
            }
            value = sum
            index += 1
        }
        guard index > start else {
            let problem = start < end ? "is not a decimal number" : "is empty or has an empty list member"
            throw .badRequest("Content-Length \(problem)")
        }
        return (value, index)
    }

    /// Reads each coding of `1#transfer-coding`; the decoders check the order of codings at the end of the head.
    private mutating func recordTransferEncoding(
        _ value: Range<Int>, in input: UnsafeRawBufferPointer
    ) throws(HTTP1ParseError) {
        hasTransferEncoding = true
        var cursor = value.lowerBound
        while true {
            let codingStart = input.skippingWhitespace(from: cursor, to: value.upperBound)
            let codingEnd = input.skippingToken(from: codingStart, to: value.upperBound)
            guard codingEnd > codingStart else {
                throw .badRequest("Transfer-Encoding has an empty or invalid coding")
            }
            guard let parametersEnd = input.skippingParameters(from: codingEnd, to: value.upperBound) else {
                throw .badRequest("Transfer-Encoding has a malformed coding parameter")
            }
            try recordCoding(input.equalsIgnoringCase(codingStart..<codingEnd, "chunked"),
                             hasParameters: parametersEnd > codingEnd)

            cursor = input.skippingWhitespace(from: parametersEnd, to: value.upperBound)
            if cursor == value.upperBound {
                return
            }
            guard input[cursor] == ASCII.comma else {
                throw .badRequest("Transfer-Encoding has an invalid character after a coding")
            }
            cursor += 1
        }
    }

    private mutating func recordCoding(_ isChunked: Bool, hasParameters: Bool) throws(HTTP1ParseError) {
        lastCodingIsChunked = isChunked
        guard isChunked else {
            otherCodingCount += 1
            return
        }
        guard !hasParameters else {
            throw .badRequest("the chunked transfer coding takes no parameters")
        }
        chunkedCount += 1
        guard chunkedCount == 1 else {
            throw .badRequest("Transfer-Encoding applies chunked more than once")
        }
    }

    /// Collects lowercased tokens; empty list members are ignored as RFC 9110 section 5.6.1 requires.
    private mutating func recordConnection(
        _ value: Range<Int>, in input: UnsafeRawBufferPointer
    ) throws(HTTP1ParseError) {
        var cursor = value.lowerBound
        while cursor < value.upperBound {
            let tokenStart = input.skippingWhitespace(from: cursor, to: value.upperBound)
            let tokenEnd = input.skippingToken(from: tokenStart, to: value.upperBound)
            if tokenEnd > tokenStart {
                appendConnectionToken(tokenStart..<tokenEnd, in: input)
            }
            cursor = input.skippingWhitespace(from: tokenEnd, to: value.upperBound)
            if cursor < value.upperBound {
                guard input[cursor] == ASCII.comma else {
                    throw .badRequest("Connection has a member that is not a token")
                }
                cursor += 1
            }
        }
    }

    /// Appends the lowercased token, using a literal for `close` and `keep-alive` so that neither builds a String.
    private mutating func appendConnectionToken(_ token: Range<Int>, in input: UnsafeRawBufferPointer) {
        if input.equalsIgnoringCase(token, "keep-alive") {
            hasKeepAliveToken = true
            connectionTokens.append("keep-alive")
        } else if input.equalsIgnoringCase(token, "close") {
            hasCloseToken = true
            connectionTokens.append("close")
        } else {
            connectionTokens.append(input.makeLowercasedString(token))
        }
    }

    /// Counts Host fields and rejects values with bytes no URI host or port contains, since routing may use them.
    private mutating func recordHost(_ value: Range<Int>, in input: UnsafeRawBufferPointer) throws(HTTP1ParseError) {
        hostCount += 1
        for index in value where !FramingFacts.isHostByte(input[index]) {
            throw .badRequest("Host contains the invalid character 0x\(String(input[index], radix: 16))")
        }
    }

    /// Returns whether `byte` can appear in `uri-host [ ":" port ]`: unreserved, sub-delims, "%", ":", "[" and "]".
    private static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A:
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "!"),
            UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="),
            UInt8(ascii: "%"), UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"):
            return true
        default:
            return false
        }
    }

    private mutating func recordExpect(_ value: Range<Int>, in input: UnsafeRawBufferPointer) {
        if input.equalsIgnoringCase(value, "100-continue") {
            expectsContinue = true
        } else {
            hasUnknownExpectation = true
        }
    }
}
