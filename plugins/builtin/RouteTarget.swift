// Splits a raw request target into the storefront route key and the path forwarded to the origin.

/// A request target split for routing. Route key and forwarded path come from the same normalised path, so a
/// dot segment cannot make them disagree about which storefront a request belongs to.
struct RouteTarget: Equatable {
    /// The first segment of the normalised path, still percent-encoded; empty when the path has none.
    var rawKey: Substring
    /// The normalised path after the first segment, still percent-encoded, starting with `/`.
    var forwardedPath: Substring
    /// The query of the original target including its `?`, or empty.
    var query: Substring

    /// Splits `target` as received: origin form `/a/b?q` or absolute form `http://host/a/b?q`. Dot segments are
    /// removed (RFC 3986 section 5.2.4, with `%2E` counted as a dot) and nothing else is decoded, so `%2F` stays in
    /// the forwarded path.
    init(target: String) {
        let (path, query) = Self.pathAndQuery(of: target)
        let normalised = DotSegments.contains(path) ? Substring(DotSegments.remove(from: path)) : path
        self.query = query

        guard normalised.utf8.first == UInt8(ascii: "/") else {
            rawKey = ""
            forwardedPath = "/"
            return
        }
        let keyStart = normalised.utf8.index(after: normalised.startIndex)
        let keyEnd = normalised.utf8[keyStart...].firstIndex(of: UInt8(ascii: "/")) ?? normalised.endIndex
        rawKey = normalised[keyStart..<keyEnd]
        let rest = normalised[keyEnd...]
        forwardedPath = rest.isEmpty ? "/" : rest
    }

    /// The path (without scheme and authority in absolute form) and the query of `target`.
    private static func pathAndQuery(of target: String) -> (path: Substring, query: Substring) {
        let utf8 = target.utf8
        let queryStart = utf8.firstIndex(of: UInt8(ascii: "?")) ?? target.endIndex
        var path = target[..<queryStart]
        let query = target[queryStart...]

        if let authorityStart = absoluteFormAuthorityStart(path) {
            let pathStart = path.utf8[authorityStart...].firstIndex(of: UInt8(ascii: "/")) ?? path.endIndex
            path = path[pathStart...]
        }
        return (path, query)
    }

    /// The index after `scheme://` when `path` is in absolute form with an http or https scheme, else nil.
    private static func absoluteFormAuthorityStart(_ path: Substring) -> String.Index? {
        guard let first = path.utf8.first, first != UInt8(ascii: "/") else { return nil }
        return ASCII.prefixEnd(path, "http://") ?? ASCII.prefixEnd(path, "https://")
    }
}

/// Removal of dot segments from a raw path, treating `%2E` and `%2e` as a dot as well.
enum DotSegments {
    /// Whether some segment of `path` is `.` or `..`, in any mix of literal and encoded dots.
    static func contains(_ path: Substring) -> Bool {
        // Most paths have neither a dot nor a percent sign, and the byte scan below is the hot path for the rest.
        let found = path.utf8.withContiguousStorageIfAvailable(containsDotSegment)
        return found ?? Array(path.utf8).withUnsafeBufferPointer(containsDotSegment)
    }

    private static func containsDotSegment(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.first == UInt8(ascii: "/") else { return false }
        var start = 1
        while true {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "/") {
                end += 1
            }
            if dotCount(bytes[start..<end]) > 0 {
                return true
            }
            guard end < bytes.count else { return false }
            start = end + 1
        }
    }

    /// The path with dot segments removed as RFC 3986 section 5.2.4 does for an absolute path.
    static func remove(from path: Substring) -> String {
        var output: [Substring] = []
        var endsWithSlash = false
        forEachSegment(of: path) { segment in
            switch dotCount(segment.utf8) {
            case 1:
                endsWithSlash = true
            case 2:
                if !output.isEmpty {
                    output.removeLast()
                }
                endsWithSlash = true
            default:
                output.append(segment)
                endsWithSlash = false
            }
        }
        var result = "/" + output.joined(separator: "/")
        if endsWithSlash && !output.isEmpty {
            result += "/"
        }
        return result
    }

    /// Calls `body` with every segment after a `/`. A path that does not start with `/` has no segments here,
    /// because only origin-form paths are routed.
    private static func forEachSegment(of path: Substring, _ body: (Substring) -> Void) {
        let utf8 = path.utf8
        guard utf8.first == UInt8(ascii: "/") else { return }
        var start = utf8.index(after: utf8.startIndex)
        while true {
            let end = utf8[start...].firstIndex(of: UInt8(ascii: "/")) ?? utf8.endIndex
            body(path[start..<end])
            guard end < utf8.endIndex else { return }
            start = utf8.index(after: end)
        }
    }

    /// The number of dots when `segment` consists of one or two dots (literal or `%2E`), else 0.
    private static func dotCount<Bytes: Collection<UInt8>>(_ segment: Bytes) -> Int {
        var dots = 0
        var iterator = segment.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: ".") {
                dots += 1
            } else if byte == UInt8(ascii: "%"), iterator.next() == UInt8(ascii: "2"),
                iterator.next().map({ $0 | 0x20 }) == UInt8(ascii: "e")
            {
                dots += 1
            } else {
                return 0
            }
            if dots > 2 {
                return 0
            }
        }
        return dots
    }
}
