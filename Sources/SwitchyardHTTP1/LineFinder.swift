// Resumable search for CRLF-terminated lines, bounded by a length limit, that rejects control bytes on the way.

/// Finds the next CRLF-terminated line in a buffer that may end mid-line.
///
/// Every line of a head, a chunk-size line and a trailer line allows no control byte but HTAB, so the search
/// rejects the others (bare CR, bare LF, NUL, DEL) while it looks for CRLF, eight bytes at a time. Callers may
/// rely on that: a returned line contains no byte below 0x20 other than HTAB, and no 0x7F.
///
/// A decoder consumes only whole lines, so the owner passes a partial line again, grown, on the next call.
/// `scanned` remembers how much of that partial line was already searched, which keeps a line arriving
/// byte by byte linear in cost instead of quadratic.
struct LineFinder {
    struct Line {
        /// The line without its CRLF.
        var content: Range<Int>
        /// The index just after the LF.
        var next: Int
        /// Whether every byte of the line is below 0x80.
        var isASCII: Bool
    }

    private(set) var scanned = 0
    private var sawNonASCII = false

    /// Returns the line starting at `start`, or nil when its CRLF has not arrived yet.
    ///
    /// Throws `tooLong()` once the line, CRLF included, cannot fit in `maxLength` bytes, and 400 for a control
    /// byte other than HTAB, including a CR without LF after it and an LF without CR before it.
    mutating func next(
        in input: UnsafeRawBufferPointer, from start: Int, maxLength: Int,
        tooLong: @autoclosure () -> HTTP1ParseError
    ) throws(HTTP1ParseError) -> Line? {
        let searchEnd = start + min(input.count - start, max(maxLength, 0))
        var index = min(start + scanned, searchEnd)
        while true {
            index = skipPlainBytes(in: input, from: index, to: searchEnd)
            guard index < searchEnd else {
                break
            }
            let byte = input[index]
            if byte == ASCII.tab {
                index += 1
                continue
            }
            guard byte == ASCII.cr else {
                throw LineFinder.controlByteError(byte)
            }
            guard index + 1 < searchEnd else {
                // The LF may still arrive, unless the limit leaves no room for it.
                break
            }
            guard input[index + 1] == ASCII.lf else {
                throw .badRequest("bare CR (not followed by LF) in a header or chunk line")
            }
            return finishLine(from: start, carriageReturn: index)
        }

        scanned = index - start
        if searchEnd - start >= maxLength {
            throw tooLong()
        }
        return nil
    }

    /// Forgets a partial line, for reuse on the next message.
    mutating func reset() {
        scanned = 0
        sawNonASCII = false
    }

    private mutating func finishLine(from start: Int, carriageReturn: Int) -> Line {
        let line = Line(content: start..<carriageReturn, next: carriageReturn + 2, isASCII: !sawNonASCII)
        reset()
        return line
    }

    /// Returns the index of the first control byte or DEL at or after `index`, or `end`, noting non-ASCII bytes.
    @inline(__always)
    private mutating func skipPlainBytes(in input: UnsafeRawBufferPointer, from index: Int, to end: Int) -> Int {
        var index = index
        if let base = input.baseAddress {
            // Eight bytes per step while no byte in the word needs a closer look.
            var highBits: UInt64 = 0
            while index + 8 <= end {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                let flags = LineFinder.controlByteFlags(word)
                if flags != 0 {
                    // The lowest flag marks the first control byte exactly, so the bytes before it are plain.
                    let plainBits = UInt64(flags.trailingZeroBitCount) & ~7
                    highBits |= word & ((1 &<< plainBits) &- 1)
                    sawNonASCII = sawNonASCII || highBits & LineFinder.highBitMask != 0
                    return index + Int(plainBits >> 3)
                }
                highBits |= word
                index += 8
            }
            sawNonASCII = sawNonASCII || highBits & LineFinder.highBitMask != 0
        }
        while index < end {
            let byte = input[index]
            if byte < 0x20 || byte == ASCII.delete {
                return index
            }
            sawNonASCII = sawNonASCII || byte >= 0x80
            index += 1
        }
        return end
    }

    private static let lowBitMask: UInt64 = 0x0101_0101_0101_0101
    private static let highBitMask: UInt64 = 0x8080_8080_8080_8080

    /// Returns a word with the high bit set in bytes of `word` below 0x20 or equal to 0x7F, and zero when none is.
    ///
    /// `(x - n * ones) & ~x & highs` is nonzero exactly when some byte of x is below n, for n up to 0x80, because
    /// the first borrow starts at such a byte. Bytes above it may be flagged too, but the lowest flag is always
    /// a byte below n, so the lowest flag of the result marks the first control byte.
    @inline(__always)
    private static func controlByteFlags(_ word: UInt64) -> UInt64 {
        let belowSpace = (word &- lowBitMask &* 0x20) & ~word & highBitMask
        let deleteBytes = word ^ (lowBitMask &* UInt64(ASCII.delete))
        let isDelete = (deleteBytes &- lowBitMask) & ~deleteBytes & highBitMask
        return belowSpace | isDelete
    }

    private static func controlByteError(_ byte: UInt8) -> HTTP1ParseError {
        switch byte {
        case ASCII.lf:
            return .badRequest("line ends in a bare LF; HTTP/1.1 lines must end in CRLF")
        case 0:
            return .badRequest("NUL byte in a header or chunk line")
        default:
            return .badRequest("control character 0x\(String(byte, radix: 16)) in a header or chunk line")
        }
    }
}
