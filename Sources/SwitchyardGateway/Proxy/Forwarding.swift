// Builds the head sent to the origin and cleans the origin's response head, following the intermediary rules.

import SwitchyardHTTP1
import SwitchyardPlugin

/// Header rewriting for forwarded messages. Pure functions, tested without sockets.
enum Forwarding {
    /// Fields that describe one connection and are never forwarded (RFC 9110 section 7.6.1), plus `Trailer`,
    /// because the gateway does not forward trailers.
    private static let hopByHopNames = [
        "connection", "keep-alive", "te", "transfer-encoding", "upgrade", "trailer", "proxy-connection",
    ]

    /// Fields the gateway sets on the forwarded request, so the client's copies are never trusted.
    private static let gatewayOwnedNames = [
        "host", "content-length", "expect", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "forwarded",
        "x-request-id", "x-real-ip",
    ]

    /// Returns whether `name` is hop-by-hop, comparing without allocating because it runs for every field.
    static func isHopByHop(_ name: String) -> Bool {
        hopByHopNames.contains { HTTPHeaders.namesEqual($0, name) } || hasProxyPrefix(name)
    }

    static func isGatewayOwned(_ name: String) -> Bool {
        gatewayOwnedNames.contains { HTTPHeaders.namesEqual($0, name) }
    }

    private static func hasProxyPrefix(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { bytes in
            let prefix: [UInt8] = [0x70, 0x72, 0x6F, 0x78, 0x79, 0x2D]  // "proxy-"
            guard bytes.count > prefix.count else { return false }
            for index in 0..<prefix.count where bytes[index] | 0x20 != prefix[index] {
                return false
            }
            return true
        }
    }

    /// Returns whether a `Connection` field listed `name`.
    private static func isNamedInConnection(_ name: String, _ tokens: [String]) -> Bool {
        !tokens.isEmpty && tokens.contains { HTTPHeaders.namesEqual($0, name) }
    }

    /// Builds the request head for the origin from the client's head. Hop-by-hop fields and every field named in
    /// `Connection` are removed before the gateway adds its own, so a client cannot strip them.
    static func upstreamRequestHead(
        client: HTTP1RequestHead, upstream: Upstream, method: String, clientAddress: String, clientIsTLS: Bool,
        requestID: String, viaName: String, bodyFraming: BodyFraming, upgrade: String? = nil
    ) -> RequestHead {
        // The client's fields plus the up to ten the gateway adds.
        var headers = HTTPHeaders(reservingCapacity: client.fields.count + 10)
        var via: String?
        for field in client.fields {
            let name = field.name
            if isHopByHop(name) || isGatewayOwned(name) || isNamedInConnection(name, client.connectionTokens) {
                continue
            }
            if HTTPHeaders.namesEqual(name, "via") {
                via = via.map { $0 + ", " + field.value } ?? field.value
                continue
            }
            headers.add(field.name, field.value)
        }

        headers.add("Host", upstream.authority)
        switch bodyFraming {
        case .contentLength(let length): headers.add("Content-Length", String(length))
        case .chunked: headers.add("Transfer-Encoding", "chunked")
        case .none, .untilClose: break
        }
        headers.add("X-Forwarded-For", clientAddress)
        headers.add("X-Real-IP", clientAddress)
        headers.add("X-Forwarded-Proto", clientIsTLS ? "https" : "http")
        if let host = clientHost(client) {
            headers.add("X-Forwarded-Host", host)
        }
        headers.add("X-Request-ID", requestID)

        if let upgrade {
            // A protocol switch is negotiated hop by hop, so the gateway requests it from the origin anew.
            headers.add("Connection", "upgrade")
            headers.add("Upgrade", upgrade)
        }
        headers.add("Via", viaValue(existing: via, minorVersion: client.versionMinor, viaName: viaName))
        return RequestHead(method: method, target: upstream.target, version: .http1_1, headers: headers)
    }

    /// Returns the authority the client addressed: the absolute-form target's authority, else `Host`.
    static func clientHost(_ client: HTTP1RequestHead) -> String? {
        if let authority = absoluteFormAuthority(client.target) {
            return authority
        }
        return client.fields.first { HTTPHeaders.namesEqual($0.name, "host") }?.value
    }

    /// Returns whether the host part of `authority` (without port or brackets) is `serverName`, ignoring case and a
    /// trailing dot.
    static func hostMatches(_ authority: String, serverName: String) -> Bool {
        var authority = authority
        var serverName = serverName
        return authority.withUTF8 { authorityBytes in
            serverName.withUTF8 { nameBytes in
                let host = hostPart(authorityBytes)
                let name = withoutTrailingDot(nameBytes[...])
                guard host.count == name.count else { return false }
                for (left, right) in zip(host, name) where left != right {
                    // Letters compare without case; other bytes must be equal.
                    let lower = left | 0x20
                    guard lower >= 0x61, lower <= 0x7A, lower == right | 0x20 else { return false }
                }
                return true
            }
        }
    }

    /// Returns the host of an authority without port, brackets or a trailing dot.
    private static func hostPart(_ bytes: UnsafeBufferPointer<UInt8>) -> Slice<UnsafeBufferPointer<UInt8>> {
        var host = bytes[...]
        if host.first == UInt8(ascii: "[") {
            host = host.dropFirst().prefix { $0 != UInt8(ascii: "]") }
        } else if let colon = host.lastIndex(of: UInt8(ascii: ":")) {
            host = host[..<colon]
        }
        return withoutTrailingDot(host)
    }

    private static func withoutTrailingDot(
        _ bytes: Slice<UnsafeBufferPointer<UInt8>>
    ) -> Slice<UnsafeBufferPointer<UInt8>> {
        bytes.last == UInt8(ascii: ".") ? bytes.dropLast() : bytes
    }

    /// Returns the authority of an absolute-form target such as `http://example.com/x`, or nil for other forms.
    static func absoluteFormAuthority(_ target: String) -> String? {
        var target = target
        return target.withUTF8 { bytes -> String? in
            // Origin-form targets, nearly every request, start with "/" and end the check at once.
            guard let first = bytes.first, first != UInt8(ascii: "/") else { return nil }
            let schemeLength: Int
            if hasPrefixIgnoringCase(bytes, "https://") {
                schemeLength = 8
            } else if hasPrefixIgnoringCase(bytes, "http://") {
                schemeLength = 7
            } else {
                return nil
            }
            var end = schemeLength
            while end < bytes.count, bytes[end] != UInt8(ascii: "/"), bytes[end] != UInt8(ascii: "?") {
                end += 1
            }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[schemeLength..<end]), as: UTF8.self)
        }
    }

    private static func hasPrefixIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ prefix: StaticString) -> Bool {
        guard bytes.count >= prefix.utf8CodeUnitCount else { return false }
        let expected = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        for index in 0..<expected.count where bytes[index] | 0x20 != expected[index] | 0x20 {
            return false
        }
        return true
    }

    /// Removes hop-by-hop fields from an origin's response and adds `Via`. Framing fields are set later, once
    /// the body's framing towards the client is known.
    static func clientResponseHead(origin: HTTP1ResponseHead, viaName: String) -> ResponseHead {
        // The origin's fields plus `Via` and the framing and connection fields added later.
        var headers = HTTPHeaders(reservingCapacity: origin.fields.count + 4)
        var via: String?
        for field in origin.fields {
            let name = field.name
            if isHopByHop(name) || isNamedInConnection(name, origin.connectionTokens) {
                continue
            }
            if HTTPHeaders.namesEqual(name, "via") {
                via = via.map { $0 + ", " + field.value } ?? field.value
                continue
            }
            headers.add(field.name, field.value)
        }
        headers.add("Via", viaValue(existing: via, minorVersion: origin.versionMinor, viaName: viaName))
        return ResponseHead(status: origin.status, reason: origin.reason, headers: headers)
    }

    /// Builds the `Via` value: earlier hops, then this gateway as `1.x name`. It concatenates because it runs
    /// twice per request, and without earlier hops it is a single short string.
    private static func viaValue(existing: String?, minorVersion: Int, viaName: String) -> String {
        let own = (minorVersion == 0 ? "1.0 " : "1.1 ") + viaName
        guard let existing else { return own }
        return existing + ", " + own
    }

    /// Whether a response with this status to this method carries no body (RFC 9110 section 6.4.1).
    static func responseHasNoBody(status: Int, method: String) -> Bool {
        method == "HEAD" || (100...199).contains(status) || status == 204 || status == 304
    }
}

/// Serialises heads from the plugin API's types into wire bytes.
///
/// Strings are appended through their contiguous UTF-8 storage: appending a `String.UTF8View` to an array goes
/// through a generic path that cost several times more per byte in profiles of the gateway.
enum HeadWriter {
    static func appendRequestHead(_ head: RequestHead, into bytes: inout [UInt8]) {
        append(head.method, to: &bytes)
        bytes.append(0x20)
        append(head.target, to: &bytes)
        append(" HTTP/1.1\r\n", to: &bytes)
        appendFields(head.headers, into: &bytes)
    }

    static func appendResponseHead(_ head: ResponseHead, into bytes: inout [UInt8]) {
        append("HTTP/1.1 ", to: &bytes)
        appendDecimal(head.status, to: &bytes)
        bytes.append(0x20)
        append(head.reason, to: &bytes)
        append("\r\n", to: &bytes)
        appendFields(head.headers, into: &bytes)
    }

    private static func appendFields(_ headers: HTTPHeaders, into bytes: inout [UInt8]) {
        for field in headers {
            var name = field.name
            var value = field.value
            name.withUTF8 { nameBytes in
                value.withUTF8 { valueBytes in
                    guard isSafe(nameBytes), isSafe(valueBytes) else { return }
                    bytes.append(contentsOf: nameBytes)
                    bytes.append(0x3A)
                    bytes.append(0x20)
                    bytes.append(contentsOf: valueBytes)
                    bytes.append(0x0D)
                    bytes.append(0x0A)
                }
            }
        }
        bytes.append(0x0D)
        bytes.append(0x0A)
    }

    private static func append(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    private static func append(_ text: StaticString, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        guard value >= 100, value <= 999 else {
            append(String(value), to: &bytes)
            return
        }
        bytes.append(UInt8(ascii: "0") + UInt8(value / 100))
        bytes.append(UInt8(ascii: "0") + UInt8(value / 10 % 10))
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    /// Returns whether bytes can go on the wire without ending the field early. A value with CR, LF or NUL set
    /// by a middleware would otherwise inject fields or split the message, so such a field is left out.
    private static func isSafe(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in bytes where byte <= 0x0D && (byte == 0x0D || byte == 0x0A || byte == 0x00) {
            return false
        }
        return true
    }
}
