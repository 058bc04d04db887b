// Resumable search for CRLF-terminated lines, bounded by a length limit.

/// Finds the next CRLF-terminated line in a buffer that may end mid-line.
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
    }

    private(set) var scanned = 0

    /// Returns the line starting at `start`, or nil when its LF has not arrived yet.
    ///
    /// Throws `tooLong()` once the line, CRLF included, cannot fit in `maxLength` bytes, and 400 when the line
    /// ends in an LF without CR before it.
    mutating func next(
        in input: UnsafeRawBufferPointer, from start: Int, maxLength: Int,
        tooLong: @autoclosure () -> HTTP1ParseError
    ) throws(HTTP1ParseError) -> Line? {
        let available = input.count - start
        let searchEnd = start + min(available, max(maxLength, 0))
        var index = min(start + scanned, searchEnd)
        while index < searchEnd {
            if input[index] == ASCII.lf {
                return try finishLine(in: input, from: start, lineFeed: index)
            }
            index += 1
        }

        scanned = index - start
        if scanned >= maxLength {
            throw tooLong()
        }
        return nil
    }

    /// Forgets a partial line, for reuse on the next message.
    mutating func reset() {
        scanned = 0
    }

    private mutating func finishLine(
        in input: UnsafeRawBufferPointer, from start: Int, lineFeed: Int
    ) throws(HTTP1ParseError) -> Line {
        scanned = 0
        guard lineFeed > start, input[lineFeed - 1] == ASCII.cr else {
            throw .badRequest("line ends in a bare LF; HTTP/1.1 lines must end in CRLF")
        }
        return Line(content: start..<(lineFeed - 1), next: lineFeed + 1)
    }
}
