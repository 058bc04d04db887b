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

/// Builds one access log line in a byte buffer that it owns, escaping values for the chosen format.
///
/// The buffer is sized from the values before writing, so a typical line costs one allocation and grows only when
/// many bytes need escapes. Bytes are copied through pointers because `Array.append(contentsOf:)` took about 90
/// instructions per call (callgrind, release build, 2-core development VM), and a line makes dozens of appends.
struct AccessLogLine: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// The number of bytes written.
    private(set) var count = 0

    /// Creates an empty line with room for `capacity` bytes. The line grows when a value needs more.
    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deallocate()
    }

    /// Calls `body` with the bytes written so far.
    func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// A copy of the bytes written so far.
    var bytes: [UInt8] {
        withBytes { Array($0) }
    }

    /// Builds the JSON line for `context`, ending with a newline.
    static func json(_ context: RequestContext, second: LogTimestamp.Second) -> AccessLogLine {
        // Each property read below crosses the plugin API's resilience boundary, and `request` copies the whole
        // head, so every value is read once.
        let request = context.request
        let requestID = context.requestID
        let client = context.clientAddress
        let storefrontID = context.storefrontID
        let upstream = context.upstream
        let failure = context.failure
        let (userAgent, referer) = userAgentAndReferer(request.headers)

        let valueBytes = requestID.utf8.count + client.utf8.count + request.method.utf8.count
            + request.target.utf8.count + (storefrontID?.utf8.count ?? 0) + (userAgent?.utf8.count ?? 0)
            + (referer?.utf8.count ?? 0) + (failure?.utf8.count ?? 0) + (upstream?.host.utf8.count ?? 0)
        var line = AccessLogLine(capacity: 384 + valueBytes)
        line.raw("{\"time\":\"")
        line.append(second.rfc3339)
        line.raw(".")
        line.appendDecimal(LogTimestamp.milliseconds(of: context.startTime), width: 3)
        line.raw("Z\"")
        line.field("request_id", string: requestID)
        line.field("client", string: client)
        line.field("method", string: request.method)
        line.field("path", string: request.target)
        line.field("status", integer: context.responseStatus)
        line.field("bytes_sent", integer: context.bytesSent)
        line.field("duration_ms", milliseconds: context.duration)
        line.field("storefront_id", string: storefrontID)
        line.field("origin", upstream: upstream)
        line.field("origin_status", integer: context.originStatus)
        line.field("origin_ms", milliseconds: context.originDuration)
        line.field("user_agent", string: userAgent)
        line.field("referer", string: referer)
        line.field("failure", string: failure)
        line.raw("}\n")
        return line
    }

    /// Builds the combined-format line for `context`, ending with a newline. Absent values are written as `-`.
    static func combined(_ context: RequestContext, second: LogTimestamp.Second) -> AccessLogLine {
        let request = context.request
        let client = context.clientAddress
        let (userAgent, referer) = userAgentAndReferer(request.headers)

        let valueBytes = client.utf8.count + request.method.utf8.count + request.target.utf8.count
            + (userAgent?.utf8.count ?? 0) + (referer?.utf8.count ?? 0)
        var line = AccessLogLine(capacity: 128 + valueBytes)
        line.quotedCommon(client)
        line.raw(" - - [")
        line.append(second.common)
        line.raw("] \"")
        line.quotedCommon(request.method)
        line.raw(" ")
        line.quotedCommon(request.target)
        line.raw(" ")
        line.quotedCommon(request.version.description)
        line.raw("\" ")
        if let status = context.responseStatus {
            line.appendDecimal(status)
        } else {
            line.raw("-")
        }
        line.raw(" ")
        let bytesSent = context.bytesSent
        if bytesSent > 0 {
            line.appendDecimal(bytesSent)
        } else {
            line.raw("-")
        }
        line.raw(" \"")
        line.quotedCommon(referer ?? "-")
        line.raw("\" \"")
        line.quotedCommon(userAgent ?? "-")
        line.raw("\"\n")
        return line
    }

    /// Finds the first `User-Agent` and `Referer` values in one pass over the fields.
    private static func userAgentAndReferer(_ headers: HTTPHeaders) -> (userAgent: String?, referer: String?) {
        var userAgent: String?
        var referer: String?
        for field in headers.fields {
            switch field.name.utf8.count {
            case 10 where userAgent == nil && HTTPHeaders.namesEqual(field.name, "User-Agent"):
                userAgent = field.value
            case 7 where referer == nil && HTTPHeaders.namesEqual(field.name, "Referer"):
                referer = field.value
            default:
                break
            }
        }
        return (userAgent, referer)
    }

    // MARK: - Byte writing

    /// Makes room for `extra` more bytes, doubling the buffer when it is full.
    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if count + extra > capacity {
            grow(extra)
        }
    }

    @inline(never)
    private mutating func grow(_ extra: Int) {
        let newCapacity = max(capacity * 2, count + extra)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    private mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inline(__always)
    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    private mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    @inline(__always)
    private mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { append($0) }
    }

    /// Appends `value` in decimal, left-padded with zeros to `width` digits. A negative value counts as 0, as in
    /// `LogTimestamp.appendDigits`.
    private mutating func appendDecimal(_ value: Int, width: Int = 1) {
        let value = max(0, value)
        var digitCount = 1
        var rest = value / 10
        while rest > 0 {
            digitCount += 1
            rest /= 10
        }
        let length = max(digitCount, width)
        reserve(length)
        var position = count + length
        var remaining = value
        while position > count {
            position -= 1
            base[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
        }
        count += length
    }

    // MARK: - JSON fields

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
        appendDecimal(Int(clamping: integer.magnitude))
    }

    /// Writes `seconds` as milliseconds with three decimals, for example `12.345`.
    private mutating func field(_ name: StaticString, milliseconds seconds: Double?) {
        key(name)
        guard let seconds, seconds.isFinite, seconds >= 0, seconds < 1e9 else { return raw("null") }
        let microseconds = Int((seconds * 1_000_000).rounded())
        appendDecimal(microseconds / 1000)
        raw(".")
        appendDecimal(microseconds % 1000, width: 3)
    }

    /// Writes `upstream.origin` without building that string: `scheme://host[:port]`, with an IPv6 host in
    /// brackets and the port left out when it is the scheme's default.
    private mutating func field(_ name: StaticString, upstream: Upstream?) {
        guard let upstream else { return field(name, string: nil) }
        var scheme = upstream.scheme
        var host = upstream.host
        let port = upstream.port
        let written = scheme.withUTF8 { schemeBytes in
            host.withUTF8 { hostBytes in
                writeOrigin(name, scheme: schemeBytes, host: hostBytes, port: port)
            }
        }
        if !written {
            field(name, string: upstream.origin)
        }
    }

    /// Writes the origin field from bytes when scheme and host are printable ASCII without quote or backslash,
    /// where byte comparison and `Upstream.origin`'s string comparison agree and nothing needs escaping. Returns
    /// false, having written nothing, otherwise.
    private mutating func writeOrigin(
        _ name: StaticString, scheme: UnsafeBufferPointer<UInt8>, host: UnsafeBufferPointer<UInt8>, port: Int
    ) -> Bool {
        guard port >= 0, scheme.allSatisfy(Self.isPlainJSONByte), host.allSatisfy(Self.isPlainJSONByte) else {
            return false
        }
        let isHTTPS = scheme.elementsEqual("https".utf8)
        let isIPv6 = host.contains(UInt8(ascii: ":"))
        key(name)
        raw("\"")
        append(scheme)
        raw("://")
        if isIPv6 {
            raw("[")
        }
        append(host)
        if isIPv6 {
            raw("]")
        }
        if port != (isHTTPS ? 443 : 80) {
            raw(":")
            appendDecimal(port)
        }
        raw("\"")
        return true
    }

    /// Whether `byte` is printable ASCII that a JSON string contains without an escape.
    private static func isPlainJSONByte(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
    }

    /// Appends `text` as a JSON string (RFC 8259 section 7). Swift strings are valid UTF-8, so only quotes,
    /// backslashes and control characters need escapes.
    private mutating func jsonString(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            reserve(utf8.count + 2)
            append(UInt8(ascii: "\""))
            if utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                jsonEscaped(utf8)
            } else {
                // The common case: nothing to escape, so the bytes are copied at once.
                append(utf8)
            }
            append(UInt8(ascii: "\""))
        }
    }

    private mutating func jsonEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0x00..<0x20:
                raw("\\u00")
                hexByte(byte)
            default: append(byte)
            }
        }
    }

    // MARK: - Combined format

    /// Appends `text` for a quoted field of the combined format: quotes and backslashes get a backslash, and
    /// control bytes become `\xHH`, as Apache httpd writes them, so a value cannot forge a field or a line.
    private mutating func quotedCommon(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            let needsEscapes = utf8.contains { byte in
                byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
            }
            guard needsEscapes else {
                append(utf8)
                return
            }
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""): raw("\\\"")
                case UInt8(ascii: "\\"): raw("\\\\")
                case 0x00..<0x20, 0x7F:
                    raw("\\x")
                    hexByte(byte)
                default: append(byte)
                }
            }
        }
    }

    private mutating func hexByte(_ byte: UInt8) {
        let digits: StaticString = "0123456789abcdef"
        digits.withUTF8Buffer { hex in
            append(hex[Int(byte >> 4)])
            append(hex[Int(byte & 0x0F)])
        }
    }
}
