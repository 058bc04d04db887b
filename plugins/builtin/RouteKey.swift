// Decoding of the raw first path segment into the storefront id used as the key-value key.

/// Why a first path segment cannot be a storefront id. Each reason renders the body of a 400 response.
enum RouteKeyError: Error, Equatable {
    case invalidPercentEncoding
    case invalidUTF8
    case controlCharacter
    case slash

    /// A short explanation for the client.
    var responseText: String {
        switch self {
        case .invalidPercentEncoding:
            return "Invalid storefront ID in the URL path: a \"%\" must be followed by two hex digits."
        case .invalidUTF8:
            return "Invalid storefront ID in the URL path: it must decode to valid UTF-8."
        case .controlCharacter:
            return "Invalid storefront ID in the URL path: it must not contain control characters."
        case .slash:
            return "Invalid storefront ID in the URL path: it must not contain an encoded \"/\"."
        }
    }
}

enum RouteKey {
    /// Percent-decodes `raw` and checks that the result is UTF-8 without control characters or `/`.
    static func decode(_ raw: Substring) throws(RouteKeyError) -> String {
        guard raw.utf8.contains(UInt8(ascii: "%")) else {
            // The common case: the segment is already the key, and a Swift string is valid UTF-8.
            let key = String(raw)
            try validate(key)
            return key
        }

        let bytes = try percentDecode(raw)
        guard let key = String(validating: bytes, as: UTF8.self) else {
            throw .invalidUTF8
        }
        try validate(key)
        return key
    }

    /// Rejects `/` and the Unicode general category Cc: C0 controls, DEL and C1 controls. Scans the UTF-8 bytes,
    /// where a C1 control U+0080...U+009F is the pair C2 80...C2 9F, and reports the first offender in order.
    private static func validate(_ key: String) throws(RouteKeyError) {
        var key = key
        let problem: RouteKeyError? = key.withUTF8 { bytes in
            for index in bytes.indices {
                let byte = bytes[index]
                if byte == UInt8(ascii: "/") {
                    return .slash
                }
                if byte < 0x20 || byte == 0x7F {
                    return .controlCharacter
                }
                if byte == 0xC2, index + 1 < bytes.count, bytes[index + 1] <= 0x9F {
                    return .controlCharacter
                }
            }
            return nil
        }
        if let problem {
            throw problem
        }
    }

    private static func percentDecode(_ raw: Substring) throws(RouteKeyError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.utf8.count)
        var iterator = raw.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw .invalidPercentEncoding
            }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
