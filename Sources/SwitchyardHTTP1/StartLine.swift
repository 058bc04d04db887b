// Parsing of the request line and the status line (RFC 9112 sections 3 and 4).

/// A start line type the head reader can parse.
protocol StartLine {
    init(parsing input: UnsafeRawBufferPointer, line: Range<Int>) throws(HTTP1ParseError)
}

/// `method SP request-target SP HTTP-version`, with exactly one SP between the parts.
struct RequestLine: StartLine {
    var method: String
    var target: String
    var versionMajor: Int
    var versionMinor: Int

    init(parsing input: UnsafeRawBufferPointer, line: Range<Int>) throws(HTTP1ParseError) {
        let methodEnd = input.skippingToken(from: line.lowerBound, to: line.upperBound)
        guard methodEnd > line.lowerBound else {
            throw .badRequest("request line does not start with a method token")
        }
        try RequestLine.expectSpace(input, at: methodEnd, end: line.upperBound, after: "method")

        let targetStart = methodEnd + 1
        var targetEnd = targetStart
        while targetEnd < line.upperBound && isVisible(input[targetEnd]) {
            targetEnd += 1
        }
        guard targetEnd > targetStart else {
            throw .badRequest("request target is empty or preceded by more than one space")
        }
        try RequestLine.expectSpace(input, at: targetEnd, end: line.upperBound, after: "request target")

        (versionMajor, versionMinor) = try parseVersion(input, (targetEnd + 1)..<line.upperBound)
        guard versionMajor > 0 else {
            throw .badRequest("HTTP/0.x requests are not supported")
        }
        guard versionMajor == 1 else {
            throw HTTP1ParseError(status: 505, reason: "HTTP/\(versionMajor).\(versionMinor) is not supported")
        }
        // RFC 9110 section 2.5: a higher minor version is handled as the highest minor version supported.
        versionMinor = min(versionMinor, 1)
        method = input.makeMethod(line.lowerBound..<methodEnd)
        target = input.makeString(targetStart..<targetEnd)
    }

    private static func expectSpace(
        _ input: UnsafeRawBufferPointer, at index: Int, end: Int, after part: StaticString
    ) throws(HTTP1ParseError) {
        guard index < end else {
            throw .badRequest("request line ends after the \(part); expected method, target and HTTP version")
        }
        guard input[index] == ASCII.space else {
            throw .badRequest("invalid character 0x\(String(input[index], radix: 16)) after the \(part)")
        }
    }
}

/// `HTTP-version SP status-code SP [ reason-phrase ]`; a missing SP after the code is accepted.
struct StatusLine: StartLine {
    var status: Int
    var reason: String
    var versionMajor: Int
    var versionMinor: Int

    init(parsing input: UnsafeRawBufferPointer, line: Range<Int>) throws(HTTP1ParseError) {
        let versionEnd = line.lowerBound + 8
        guard versionEnd < line.upperBound, input[versionEnd] == ASCII.space else {
            throw .badRequest("status line does not start with an HTTP version and a space")
        }
        (versionMajor, versionMinor) = try parseVersion(input, line.lowerBound..<versionEnd)
        guard versionMajor == 1, versionMinor <= 1 else {
            throw .badRequest("HTTP/\(versionMajor).\(versionMinor) responses are not supported")
        }

        status = try StatusLine.parseStatus(input, from: versionEnd + 1, end: line.upperBound)
        let reasonStart = versionEnd + 5
        guard reasonStart <= line.upperBound else {
            reason = ""
            return
        }
        guard input[versionEnd + 4] == ASCII.space else {
            throw .badRequest("status code is not followed by a space")
        }
        for index in reasonStart..<line.upperBound where !isFieldValueByte(input[index]) {
            throw .badRequest("control character 0x\(String(input[index], radix: 16)) in reason phrase")
        }
        reason = input.makeString(reasonStart..<line.upperBound)
    }

    /// Parses three digits in 100...599, the range with defined status classes (RFC 9110 section 15).
    private static func parseStatus(
        _ input: UnsafeRawBufferPointer, from start: Int, end: Int
    ) throws(HTTP1ParseError) -> Int {
        guard start + 3 <= end else {
            throw .badRequest("status code is not three digits")
        }
        var status = 0
        for index in start..<(start + 3) {
            let byte = input[index]
            guard byte >= 0x30 && byte <= 0x39 else {
                throw .badRequest("status code is not three digits")
            }
            status = status * 10 + Int(byte - 0x30)
        }
        guard (100...599).contains(status) else {
            throw .badRequest("status code \(status) is outside 100...599")
        }
        return status
    }
}

/// Parses exactly `HTTP/<digit>.<digit>` (the name is case-sensitive) into its two numbers.
func parseVersion(_ input: UnsafeRawBufferPointer, _ range: Range<Int>) throws(HTTP1ParseError) -> (Int, Int) {
    guard range.count == 8,
        input[range.lowerBound] == UInt8(ascii: "H"),
        input[range.lowerBound + 1] == UInt8(ascii: "T"),
        input[range.lowerBound + 2] == UInt8(ascii: "T"),
        input[range.lowerBound + 3] == UInt8(ascii: "P"),
        input[range.lowerBound + 4] == ASCII.slash,
        input[range.lowerBound + 6] == ASCII.period
    else {
        throw .badRequest("invalid HTTP version; expected HTTP/1.1 or HTTP/1.0")
    }
    let major = input[range.lowerBound + 5]
    let minor = input[range.lowerBound + 7]
    guard major >= 0x30 && major <= 0x39, minor >= 0x30 && minor <= 0x39 else {
        throw .badRequest("invalid HTTP version; expected HTTP/1.1 or HTTP/1.0")
    }
    return (Int(major - 0x30), Int(minor - 0x30))
}
