// Formatting of one access log line as JSON or in the Apache combined format.

import Foundation
import SwitchyardPlugin

/// The access log line formats.
enum AccessLogFormat: String {
    /// One JSON object per line with the fields listed on `AccessLogMiddleware`.
    case json
    /// The Apache combined format: `%h - - [%t] "%r" %>s %b "%{Referer}i" "%{User-agent}i"`.
    case combined
}

/// Builds access log lines into a byte array, escaping values for the chosen format.
struct AccessLogLine {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 512) {
        bytes.reserveCapacity(capacity)
    }

    /// The JSON line for `context`, ending with a newline.
    static func json(_ context: RequestContext, second: LogTimestamp.Second) -> [UInt8] {
        var line = AccessLogLine()
        line.raw("{\"time\":\"")
        line.bytes += second.rfc3339
        line.raw(".")
        LogTimestamp.appendDigits(LogTimestamp.milliseconds(of: context.startTime), width: 3, to: &line.bytes)
        line.raw("Z\"")
        line.field("request_id", string: context.requestID)
        line.field("client", string: context.clientAddress)
        line.field("method", string: context.request.method)
        line.field("path", string: context.request.target)
        line.field("status", integer: context.responseStatus)
        line.field("bytes_sent", integer: context.bytesSent)
        line.field("duration_ms", milliseconds: context.duration)
        line.field("storefront_id", string: context.storefrontID)
        line.field("origin", string: context.upstream?.origin)
        line.field("origin_status", integer: context.originStatus)
        line.field("origin_ms", milliseconds: context.originDuration)
        line.field("user_agent", string: context.request.headers["User-Agent"])
        line.field("referer", string: context.request.headers["Referer"])
        line.field("failure", string: context.failure)
        line.raw("}\n")
        return line.bytes
    }

    /// The combined-format line for `context`, ending with a newline. Absent values are written as `-`.
    static func combined(_ context: RequestContext, second: LogTimestamp.Second) -> [UInt8] {
        let request = context.request
        var line = AccessLogLine()
        line.quotedCommon(context.clientAddress)
        line.raw(" - - [")
        line.bytes += second.common
        line.raw("] \"")
        line.quotedCommon(request.method)
        line.raw(" ")
        line.quotedCommon(request.target)
        line.raw(" ")
        line.quotedCommon(request.version.description)
        line.raw("\" ")
        if let status = context.responseStatus {
            LogTimestamp.appendDigits(status, to: &line.bytes)
        } else {
            line.raw("-")
        }
        line.raw(" ")
        if context.bytesSent > 0 {
            LogTimestamp.appendDigits(context.bytesSent, to: &line.bytes)
        } else {
            line.raw("-")
        }
        line.raw(" \"")
        line.quotedCommon(request.headers["Referer"] ?? "-")
        line.raw("\" \"")
        line.quotedCommon(request.headers["User-Agent"] ?? "-")
        line.raw("\"\n")
        return line.bytes
    }

    private mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func key(_ name: StaticString) {
        raw(",\"")
        raw(name)
        raw("\":")
    }

    private mutating func field(_ name: StaticString, string: String?) {
        key(name)
        guard let string else { return raw("null") }
        jsonString(string)
    }

    private mutating func field(_ name: StaticString, integer: Int?) {
        key(name)
        guard let integer else { return raw("null") }
        if integer < 0 {
            raw("-")
        }
        LogTimestamp.appendDigits(Int(clamping: integer.magnitude), to: &bytes)
    }

    /// Writes `seconds` as milliseconds with three decimals, for example `12.345`.
    private mutating func field(_ name: StaticString, milliseconds seconds: Double?) {
        key(name)
        guard let seconds, seconds.isFinite, seconds >= 0, seconds < 1e9 else { return raw("null") }
        let microseconds = Int((seconds * 1_000_000).rounded())
        LogTimestamp.appendDigits(microseconds / 1000, to: &bytes)
        raw(".")
        LogTimestamp.appendDigits(microseconds % 1000, width: 3, to: &bytes)
    }

    /// Appends `text` as a JSON string (RFC 8259 section 7). Swift strings are valid UTF-8, so only quotes,
    /// backslashes and control characters need escapes.
    private mutating func jsonString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        defer { bytes.append(UInt8(ascii: "\"")) }
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            // The common case: nothing to escape, so the bytes are copied at once.
            bytes.append(contentsOf: text.utf8)
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0x00..<0x20:
                raw("\\u00")
                hexByte(byte)
            default: bytes.append(byte)
            }
        }
    }

    /// Appends `text` for a quoted field of the combined format: quotes and backslashes get a backslash, and
    /// control bytes become `\xHH`, as Apache httpd writes them, so a value cannot forge a field or a line.
    private mutating func quotedCommon(_ text: String) {
        let needsEscapes = text.utf8.contains { byte in
            byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
        }
        guard needsEscapes else {
            bytes.append(contentsOf: text.utf8)
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x00..<0x20, 0x7F:
                raw("\\x")
                hexByte(byte)
            default: bytes.append(byte)
            }
        }
    }

    private mutating func hexByte(_ byte: UInt8) {
        let digits: StaticString = "0123456789abcdef"
        digits.withUTF8Buffer { hex in
            bytes.append(hex[Int(byte >> 4)])
            bytes.append(hex[Int(byte & 0x0F)])
        }
    }
}
