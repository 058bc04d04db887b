// Literal Strings for common methods, field names and field values, so decoding them allocates no new String.

extension UnsafeRawBufferPointer {
    /// Returns the String for the method token at `range`, reusing a literal for the methods of RFC 9110.
    @inline(__always)
    func makeMethod(_ range: Range<Int>) -> String {
        commonMethod(range) ?? makeString(range)
    }

    /// Returns the literal for the standard method spelled by the bytes at `range`, case included, or nil.
    private func commonMethod(_ range: Range<Int>) -> String? {
        switch range.count {
        case 3:
            if equalsExactly(range, "GET") { return "GET" }
            if equalsExactly(range, "PUT") { return "PUT" }
        case 4:
            if equalsExactly(range, "POST") { return "POST" }
            if equalsExactly(range, "HEAD") { return "HEAD" }
        case 5:
            if equalsExactly(range, "PATCH") { return "PATCH" }
            if equalsExactly(range, "TRACE") { return "TRACE" }
        case 6:
            if equalsExactly(range, "DELETE") { return "DELETE" }
        case 7:
            if equalsExactly(range, "OPTIONS") { return "OPTIONS" }
            if equalsExactly(range, "CONNECT") { return "CONNECT" }
        default:
            break
        }
        return nil
    }

    /// Returns the String for the field name at `range`, reusing a literal when the bytes equal a common name.
    ///
    /// The match is exact, case included, so the name keeps the bytes received. Literals need no allocation or
    /// reference counting, which makes a name like `Content-Length` cost a few compares instead of a copy.
    @inline(__always)
    func makeFieldName(_ range: Range<Int>) -> String {
        commonFieldName(range) ?? makeString(range)
    }

    /// Returns the literal for the common field name spelled by the bytes at `range`, or nil.
    private func commonFieldName(_ range: Range<Int>) -> String? {
        switch range.count {
        case 4:
            if equalsExactly(range, "Host") { return "Host" }
            if equalsExactly(range, "Date") { return "Date" }
            if equalsExactly(range, "ETag") { return "ETag" }
            if equalsExactly(range, "Vary") { return "Vary" }
        case 6:
            if equalsExactly(range, "Accept") { return "Accept" }
            if equalsExactly(range, "Server") { return "Server" }
            if equalsExactly(range, "Cookie") { return "Cookie" }
        case 7:
            if equalsExactly(range, "Referer") { return "Referer" }
            if equalsExactly(range, "Expires") { return "Expires" }
        case 10:
            if equalsExactly(range, "Connection") { return "Connection" }
            if equalsExactly(range, "User-Agent") { return "User-Agent" }
            if equalsExactly(range, "Keep-Alive") { return "Keep-Alive" }
            if equalsExactly(range, "Set-Cookie") { return "Set-Cookie" }
        case 12:
            if equalsExactly(range, "Content-Type") { return "Content-Type" }
        case 13:
            if equalsExactly(range, "Last-Modified") { return "Last-Modified" }
            if equalsExactly(range, "Accept-Ranges") { return "Accept-Ranges" }
            if equalsExactly(range, "Cache-Control") { return "Cache-Control" }
            if equalsExactly(range, "Authorization") { return "Authorization" }
        case 14:
            if equalsExactly(range, "Content-Length") { return "Content-Length" }
        case 15:
            if equalsExactly(range, "Accept-Encoding") { return "Accept-Encoding" }
            if equalsExactly(range, "Accept-Language") { return "Accept-Language" }
            if equalsExactly(range, "X-Forwarded-For") { return "X-Forwarded-For" }
        case 16:
            if equalsExactly(range, "Content-Encoding") { return "Content-Encoding" }
        case 17:
            if equalsExactly(range, "Transfer-Encoding") { return "Transfer-Encoding" }
        default:
            break
        }
        return nil
    }

    /// Returns the String for the ASCII field value at `range`, reusing a literal when the bytes equal a common value.
    @inline(__always)
    func makeFieldValue(_ range: Range<Int>) -> String {
        commonFieldValue(range) ?? makeString(range)
    }

    /// Returns the literal for the common field value spelled by the bytes at `range`, or nil.
    private func commonFieldValue(_ range: Range<Int>) -> String? {
        switch range.count {
        case 3:
            let first = range.lowerBound
            let star = UInt8(ascii: "*")
            if self[first] == star, self[first + 1] == ASCII.slash, self[first + 2] == star {
                return "*/*"
            }
        case 5:
            if equalsExactly(range, "bytes") { return "bytes" }
            if equalsExactly(range, "close") { return "close" }
        case 7:
            if equalsExactly(range, "chunked") { return "chunked" }
        case 8:
            if equalsExactly(range, "no-cache") { return "no-cache" }
        case 9:
            if equalsExactly(range, "text/html") { return "text/html" }
        case 10:
            if equalsExactly(range, "keep-alive") { return "keep-alive" }
            if equalsExactly(range, "text/plain") { return "text/plain" }
        case 13:
            if equalsExactly(range, "gzip, deflate") { return "gzip, deflate" }
        case 16:
            if equalsExactly(range, "application/json") { return "application/json" }
        case 17:
            if equalsExactly(range, "gzip, deflate, br") { return "gzip, deflate, br" }
        case 24:
            if equalsExactly(range, "text/html; charset=utf-8") { return "text/html; charset=utf-8" }
        default:
            break
        }
        return nil
    }

    /// Compares the bytes at `range` with `literal`, case included, a word at a time; the last word may overlap.
    @inline(__always)
    private func equalsExactly(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard range.count == count, let base = baseAddress else {
            return false
        }
        let bytes = base + range.lowerBound
        let expected = UnsafeRawPointer(literal.utf8Start)
        guard count >= 4 else {
            return bytes.sameBytes(as: expected, count: count)
        }
        guard count >= 8 else {
            return bytes.sameWord(as: expected, at: 0, UInt32.self)
                && bytes.sameWord(as: expected, at: count - 4, UInt32.self)
        }
        var offset = 0
        while offset < count - 8 {
            guard bytes.sameWord(as: expected, at: offset, UInt64.self) else {
                return false
            }
            offset += 8
        }
        return bytes.sameWord(as: expected, at: count - 8, UInt64.self)
    }
}

extension UnsafeRawPointer {
    /// Returns whether the first `count` bytes equal those of `other`, for literals shorter than a 32-bit word.
    @inline(__always)
    fileprivate func sameBytes(as other: UnsafeRawPointer, count: Int) -> Bool {
        var offset = 0
        while offset < count {
            let byte = load(fromByteOffset: offset, as: UInt8.self)
            guard byte == other.load(fromByteOffset: offset, as: UInt8.self) else {
                return false
            }
            offset += 1
        }
        return true
    }

    /// Returns whether the word at `offset` equals the word at the same offset of `other`.
    @inline(__always)
    fileprivate func sameWord<Word: FixedWidthInteger>(
        as other: UnsafeRawPointer, at offset: Int, _ type: Word.Type
    ) -> Bool {
        let word = loadUnaligned(fromByteOffset: offset, as: Word.self)
        return word == other.loadUnaligned(fromByteOffset: offset, as: Word.self)
    }
}
