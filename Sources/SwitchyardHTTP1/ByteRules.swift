// Byte classes and small scanners for HTTP/1.1 syntax (RFC 9110 section 5.6, RFC 9112), shared by the decoders.

enum ASCII {
    static let tab: UInt8 = 0x09
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let comma: UInt8 = 0x2C
    static let period: UInt8 = 0x2E
    static let slash: UInt8 = 0x2F
    static let zero: UInt8 = 0x30
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let equals: UInt8 = 0x3D
    static let backslash: UInt8 = 0x5C
    static let delete: UInt8 = 0x7F
}

/// Returns whether `byte` is a tchar: `!#$%&'*+-.^_`|~`, a digit or a letter.
@inline(__always)
func isTokenChar(_ byte: UInt8) -> Bool {
    // Bit n of the first mask is set when byte n (0...63) is a tchar, the second covers 64...127.
    let lowMask: UInt64 = 0x03ff_6cfa_0000_0000
    let highMask: UInt64 = 0x57ff_ffff_c7ff_fffe
    // Selecting the mask instead of branching on it keeps name scans free of mispredicted jumps.
    let mask = byte < 64 ? lowMask : highMask
    return byte < 128 && (mask >> UInt64(byte & 63)) & 1 == 1
}

/// Returns whether `byte` is SP or HTAB, the whitespace HTTP allows around values and list elements.
@inline(__always)
func isWhitespace(_ byte: UInt8) -> Bool {
    byte == ASCII.space || byte == ASCII.tab
}

/// Returns whether `byte` is a visible US-ASCII character (VCHAR).
@inline(__always)
func isVisible(_ byte: UInt8) -> Bool {
    byte > 0x20 && byte < 0x7F
}

/// Returns whether `byte` may appear in a field value: HTAB, SP, VCHAR or obs-text, so every CTL but HTAB is excluded.
@inline(__always)
func isFieldValueByte(_ byte: UInt8) -> Bool {
    byte == ASCII.tab || (byte >= 0x20 && byte != ASCII.delete)
}

/// Returns the value of a hexadecimal digit, or nil.
@inline(__always)
func hexValue(_ byte: UInt8) -> UInt64? {
    switch byte {
    case 0x30...0x39: return UInt64(byte - 0x30)
    case 0x41...0x46: return UInt64(byte - 0x41 + 10)
    case 0x61...0x66: return UInt64(byte - 0x61 + 10)
    default: return nil
    }
}

extension UnsafeRawBufferPointer {
    /// Compares `range` with a lowercase ASCII literal, ignoring the case of ASCII letters in the input.
    @inline(__always)
    func equalsIgnoringCase(_ range: Range<Int>, _ lowercase: StaticString) -> Bool {
        guard range.count == lowercase.utf8CodeUnitCount else {
            return false
        }
        let literal = lowercase.utf8Start
        var offset = 0
        while offset < range.count {
            var byte = self[range.lowerBound + offset]
            if byte >= 0x41 && byte <= 0x5A {
                byte |= 0x20
            }
            if byte != literal[offset] {
                return false
            }
            offset += 1
        }
        return true
    }

    /// Makes a String from bytes already checked to be ASCII, or valid UTF-8 where lossless copy does not matter.
    ///
    /// Copies into the String's own storage: up to 15 ASCII bytes become a small String without a validation pass,
    /// which `String(decoding:as:)` would run. Other bytes are still validated, and invalid UTF-8 is repaired alike.
    @inline(__always)
    func makeString(_ range: Range<Int>) -> String {
        let source = UnsafeRawBufferPointer(rebasing: self[range])
        return String(unsafeUninitializedCapacity: source.count) { buffer in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source)
            return source.count
        }
    }

    /// Makes a lowercased String from ASCII bytes.
    func makeLowercasedString(_ range: Range<Int>) -> String {
        String(unsafeUninitializedCapacity: range.count) { buffer in
            var index = 0
            for offset in range {
                let byte = self[offset]
                buffer[index] = (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
                index += 1
            }
            return index
        }
    }

    /// Shrinks `range` past SP and HTAB on both ends (OWS).
    @inline(__always)
    func trimmingWhitespace(_ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper && isWhitespace(self[lower]) {
            lower += 1
        }
        while upper > lower && isWhitespace(self[upper - 1]) {
            upper -= 1
        }
        return lower..<upper
    }

    /// Returns the index after any SP and HTAB starting at `index`.
    @inline(__always)
    func skippingWhitespace(from index: Int, to end: Int) -> Int {
        var index = index
        while index < end && isWhitespace(self[index]) {
            index += 1
        }
        return index
    }

    /// Returns the index after the token starting at `index`; equal to `index` when no token starts there.
    @inline(__always)
    func skippingToken(from index: Int, to end: Int) -> Int {
        var index = index
        while index < end && isTokenChar(self[index]) {
            index += 1
        }
        return index
    }

    /// Returns the index after a token or quoted-string starting at `index`, or nil when neither is well formed.
    func skippingTokenOrQuotedString(from index: Int, to end: Int) -> Int? {
        guard index < end else {
            return nil
        }
        if self[index] != ASCII.quote {
            let tokenEnd = skippingToken(from: index, to: end)
            return tokenEnd > index ? tokenEnd : nil
        }
        var cursor = index + 1
        while cursor < end {
            let byte = self[cursor]
            if byte == ASCII.quote {
                return cursor + 1
            }
            if byte == ASCII.backslash {
                // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
                guard cursor + 1 < end, isFieldValueByte(self[cursor + 1]) else {
                    return nil
                }
                cursor += 2
                continue
            }
            guard isFieldValueByte(byte) else {
                return nil
            }
            cursor += 1
        }
        return nil
    }

    /// Returns the index after `*( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )`, the parameter
    /// syntax of chunk extensions and transfer-coding parameters, or nil when a parameter is malformed.
    /// Whitespace that no parameter follows is left unconsumed, so callers see it.
    func skippingParameters(from index: Int, to end: Int) -> Int? {
        var cursor = index
        while true {
            let semicolon = skippingWhitespace(from: cursor, to: end)
            guard semicolon < end, self[semicolon] == ASCII.semicolon else {
                return cursor
            }
            let nameStart = skippingWhitespace(from: semicolon + 1, to: end)
            let nameEnd = skippingToken(from: nameStart, to: end)
            guard nameEnd > nameStart else {
                return nil
            }
            cursor = nameEnd
            let equals = skippingWhitespace(from: nameEnd, to: end)
            if equals < end && self[equals] == ASCII.equals {
                let valueStart = skippingWhitespace(from: equals + 1, to: end)
                guard let valueEnd = skippingTokenOrQuotedString(from: valueStart, to: end) else {
                    return nil
                }
                cursor = valueEnd
            }
        }
    }
}
