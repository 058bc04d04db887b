// Tests of the gzip middleware: header decisions, streaming round trips and corrupt input.

import Foundation
import SwitchyardPlugin
import Testing

@testable import SwitchyardBuiltins

/// Feeds `input` to `filter` in chunks of `chunkSize` bytes, then ends the stream.
private func run(_ filter: ResponseBodyFilter, _ input: [UInt8], chunkSize: Int) throws -> [UInt8] {
    var output: [UInt8] = []
    var offset = 0
    while offset < input.count {
        let end = min(offset + chunkSize, input.count)
        try input[offset..<end].withUnsafeBytes { try filter.filter($0, endOfStream: false, output: &output) }
        offset = end
    }
    try filter.filter(UnsafeRawBufferPointer(start: nil, count: 0), endOfStream: true, output: &output)
    return output
}

/// Reproducible pseudo-random bytes (xorshift64), so a failure can be replayed.
private func randomBytes(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt8(truncatingIfNeeded: state)
    }
}

private func textBytes(_ count: Int) -> [UInt8] {
    let sentence = Array("<p>The quick brown fox jumps over the lazy dog, storefront 42.</p>\n".utf8)
    return (0..<count).map { sentence[$0 % sentence.count] }
}

/// Runs `/usr/bin/gzip` with `arguments` on `input` and returns its standard output.
private func systemGzip(_ arguments: [String], _ input: [UInt8]) throws -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
    process.arguments = arguments
    let stdin = Pipe()
    let stdout = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    try process.run()
    // Write from another thread so that a full output pipe cannot block the writer.
    let writer = Thread {
        stdin.fileHandleForWriting.write(Data(input))
        try? stdin.fileHandleForWriting.close()
    }
    writer.start()
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Array(output)
}

private struct Outcome {
    var head: ResponseHead
    var filters: [ResponseBodyFilter]
}

private func respond(
    method: String = "GET", acceptEncoding: String? = "gzip, deflate, br", status: Int = 200,
    headers: [(String, String)] = [("Content-Type", "text/html; charset=utf-8")],
    options: [String: Any] = [:]
) throws -> Outcome {
    let middleware = try GzipMiddleware(options: makeOptions(options))
    var requestHeaders = HTTPHeaders()
    if let acceptEncoding {
        requestHeaders.add("Accept-Encoding", acceptEncoding)
    }
    let context = makeContext(method: method, target: "/s/page", headers: requestHeaders)
    var head = ResponseHead(status: status, headers: HTTPHeaders(headers))
    middleware.responseHead(context, &head)
    return Outcome(head: head, filters: context.responseBodyFilters)
}

@Suite("gzip filters")
struct GzipFilterTests {
    @Test(arguments: [1, 7, 1000, 16 * 1024, 100_000])
    func compressedTextRoundTrips(chunkSize: Int) throws {
        let input = textBytes(100_000)
        let compressed = try run(GzipEncoder(level: 6), input, chunkSize: chunkSize)
        #expect(compressed.count < input.count / 10)
        #expect(compressed.prefix(2) == [0x1F, 0x8B])
        #expect(try run(GzipDecoder(), compressed, chunkSize: chunkSize) == input)
    }

    @Test(arguments: [1, 333, 16 * 1024, 70_000])
    func compressedRandomRoundTrips(chunkSize: Int) throws {
        let input = randomBytes(60_000)
        let compressed = try run(GzipEncoder(level: 1), input, chunkSize: chunkSize)
        #expect(try run(GzipDecoder(), compressed, chunkSize: chunkSize) == input)
    }

    @Test func emptyBodyRoundTrips() throws {
        let compressed = try run(GzipEncoder(level: 9), [], chunkSize: 1)
        #expect(!compressed.isEmpty)
        #expect(try run(GzipDecoder(), compressed, chunkSize: 1) == [])
    }

    @Test func systemGzipReadsEncoderOutput() throws {
        let input = textBytes(50_000) + randomBytes(5000)
        let compressed = try run(GzipEncoder(level: 6), input, chunkSize: 4096)
        #expect(try systemGzip(["-dc"], compressed) == input)
    }

    @Test func decoderReadsSystemGzip() throws {
        let input = textBytes(80_000)
        let compressed = try systemGzip(["-c"], input)
        #expect(try run(GzipDecoder(), compressed, chunkSize: 999) == input)
    }

    @Test func decoderReadsConcatenatedMembers() throws {
        let first = Array("first member\n".utf8)
        let second = Array("second member\n".utf8)
        let joined = try run(GzipEncoder(level: 6), first, chunkSize: 100) + run(GzipEncoder(level: 6), second, chunkSize: 100)
        #expect(try run(GzipDecoder(), joined, chunkSize: 1) == first + second)
        #expect(try run(GzipDecoder(), joined, chunkSize: 1000) == first + second)
    }

    @Test func corruptInputThrows() throws {
        var compressed = try run(GzipEncoder(level: 6), textBytes(10_000), chunkSize: 10_000)
        compressed[20] ^= 0xFF
        compressed[21] ^= 0xFF
        #expect(throws: GzipError.self) { try run(GzipDecoder(), compressed, chunkSize: 512) }
    }

    @Test func notGzipThrows() {
        #expect(throws: GzipError.self) { try run(GzipDecoder(), Array("plain text".utf8), chunkSize: 4) }
    }

    @Test func truncatedInputThrows() throws {
        let compressed = try run(GzipEncoder(level: 6), textBytes(10_000), chunkSize: 10_000)
        #expect(throws: GzipError.self) { try run(GzipDecoder(), Array(compressed.dropLast(5)), chunkSize: 512) }
    }

    @Test func trailingGarbageThrows() throws {
        let compressed = try run(GzipEncoder(level: 6), textBytes(100), chunkSize: 100)
        #expect(throws: GzipError.self) { try run(GzipDecoder(), compressed + [1, 2, 3, 4], chunkSize: 512) }
    }

    @Test func dataAfterEndThrows() throws {
        let encoder = try GzipEncoder(level: 6)
        var output: [UInt8] = []
        try encoder.filter(UnsafeRawBufferPointer(start: nil, count: 0), endOfStream: true, output: &output)
        #expect(throws: GzipError.self) {
            try [1, 2, 3].withUnsafeBytes { try encoder.filter($0, endOfStream: false, output: &output) }
        }
    }
}

@Suite("gzip middleware")
struct GzipMiddlewareTests {
    @Test func compressesAcceptedText() throws {
        let outcome = try respond(headers: [
            ("Content-Type", "Text/HTML; charset=utf-8"), ("Content-Length", "5000"), ("ETag", "\"v1\""),
            ("Accept-Ranges", "bytes"),
        ])
        #expect(outcome.filters.count == 1)
        #expect(outcome.filters.first is GzipEncoder)
        #expect(outcome.head.headers["Content-Encoding"] == "gzip")
        #expect(!outcome.head.headers.contains("Content-Length"))
        #expect(!outcome.head.headers.contains("Accept-Ranges"))
        #expect(outcome.head.headers["ETag"] == "W/\"v1\"")
        #expect(outcome.head.headers.values("Vary") == ["Accept-Encoding"])
    }

    @Test func weakETagStaysWeak() throws {
        let outcome = try respond(headers: [("Content-Type", "text/css"), ("ETag", "W/\"v1\"")])
        #expect(outcome.head.headers["ETag"] == "W/\"v1\"")
    }

    @Test func varyIsMergedOnce() throws {
        let merged = try respond(headers: [("Content-Type", "text/html"), ("Vary", "Origin"), ("Vary", "Cookie")])
        let present = try respond(headers: [("Content-Type", "text/html"), ("Vary", "origin, accept-encoding")])
        let star = try respond(headers: [("Content-Type", "text/html"), ("Vary", "*")])
        #expect(merged.head.headers.values("Vary") == ["Origin, Cookie, Accept-Encoding"])
        #expect(present.head.headers.values("Vary") == ["origin, accept-encoding"])
        #expect(star.head.headers.values("Vary") == ["*"])
    }

    @Test(arguments: [
        "gzip;q=0", "gzip; q=0.000", "br, gzip;Q=0", "*;q=0", "identity", "deflate, br", "", "gzip;q=2",
        "gzip;q=abc", "*;q=0.5, gzip;q=0",
    ])
    func refusingClientGetsIdentityWithVary(acceptEncoding: String) throws {
        let outcome = try respond(acceptEncoding: acceptEncoding)
        #expect(outcome.filters.isEmpty)
        #expect(!outcome.head.headers.contains("Content-Encoding"))
        #expect(outcome.head.headers.values("Vary") == ["Accept-Encoding"])
    }

    @Test(arguments: ["gzip", "GZIP;q=0.5", "*", "x-gzip", "br;q=1, *;q=0.1", "gzip;q=0.001", "gzip;q=1.000",
        "identity;q=0, gzip"])
    func acceptingClientGetsGzip(acceptEncoding: String) throws {
        let outcome = try respond(acceptEncoding: acceptEncoding)
        #expect(outcome.filters.count == 1)
        #expect(outcome.head.headers["Content-Encoding"] == "gzip")
    }

    @Test func absentAcceptEncodingGetsIdentity() throws {
        let outcome = try respond(acceptEncoding: nil)
        #expect(outcome.filters.isEmpty)
        #expect(outcome.head.headers.values("Vary") == ["Accept-Encoding"])
    }

    @Test func headRequestIsNotCompressed() throws {
        let outcome = try respond(method: "HEAD", headers: [("Content-Type", "text/html"), ("Content-Length", "900")])
        #expect(outcome.filters.isEmpty)
        #expect(!outcome.head.headers.contains("Content-Encoding"))
        #expect(outcome.head.headers["Content-Length"] == "900")
        #expect(outcome.head.headers.values("Vary") == ["Accept-Encoding"])
    }

    @Test(arguments: [100, 101, 204, 206, 304])
    func bodylessOrPartialStatusIsUntouched(status: Int) throws {
        let headers = [("Content-Type", "text/html"), ("ETag", "\"v\"")]
        let outcome = try respond(status: status, headers: headers)
        #expect(outcome.filters.isEmpty)
        #expect(outcome.head.headers == HTTPHeaders(headers))
    }

    @Test func contentRangeIsUntouched() throws {
        let headers = [("Content-Type", "text/html"), ("Content-Range", "bytes 0-9/100")]
        let outcome = try respond(headers: headers)
        #expect(outcome.filters.isEmpty)
        #expect(outcome.head.headers == HTTPHeaders(headers))
    }

    @Test func noTransformIsUntouched() throws {
        let headers = [("Content-Type", "text/html"), ("Cache-Control", "public, No-Transform")]
        let outcome = try respond(headers: headers)
        #expect(outcome.filters.isEmpty)
        #expect(outcome.head.headers == HTTPHeaders(headers))
    }

    @Test func encodedResponsePassesThrough() throws {
        let headers = [("Content-Type", "text/html"), ("Content-Encoding", "br"), ("Content-Length", "77")]
        let brotli = try respond(acceptEncoding: "gzip", headers: headers)
        let gzipped = try respond(
            acceptEncoding: "gzip", headers: [("Content-Type", "text/html"), ("Content-Encoding", "gzip")])
        let brotliToRefusing = try respond(acceptEncoding: "identity", headers: headers)
        #expect(brotli.filters.isEmpty)
        #expect(brotli.head.headers == HTTPHeaders(headers))
        #expect(gzipped.filters.isEmpty)
        #expect(gzipped.head.headers["Content-Encoding"] == "gzip")
        #expect(brotliToRefusing.filters.isEmpty)
        #expect(brotliToRefusing.head.headers == HTTPHeaders(headers))
    }

    @Test func gzipIsDecodedForRefusingClient() throws {
        let body = textBytes(20_000)
        let compressed = try run(GzipEncoder(level: 6), body, chunkSize: body.count)
        let outcome = try respond(acceptEncoding: "br", headers: [
            ("Content-Type", "application/octet-stream"), ("Content-Encoding", "gzip"),
            ("Content-Length", "\(compressed.count)"), ("ETag", "\"z\""),
        ])
        let decoder = try #require(outcome.filters.first)
        #expect(outcome.filters.count == 1)
        #expect(!outcome.head.headers.contains("Content-Encoding"))
        #expect(!outcome.head.headers.contains("Content-Length"))
        #expect(outcome.head.headers["ETag"] == "W/\"z\"")
        #expect(outcome.head.headers.values("Vary") == ["Accept-Encoding"])
        #expect(try run(decoder, compressed, chunkSize: 1500) == body)
    }

    @Test func gzipForRefusingHeadIsUntouched() throws {
        let headers = [("Content-Type", "text/html"), ("Content-Encoding", "gzip"), ("Content-Length", "40")]
        let outcome = try respond(method: "HEAD", acceptEncoding: nil, headers: headers)
        #expect(outcome.filters.isEmpty)
        #expect(outcome.head.headers == HTTPHeaders(headers))
    }

    @Test func shortBodyIsNotCompressed() throws {
        let short = try respond(headers: [("Content-Type", "text/html"), ("Content-Length", "255")])
        let long = try respond(headers: [("Content-Type", "text/html"), ("Content-Length", "256")])
        let custom = try respond(headers: [("Content-Type", "text/html"), ("Content-Length", "255")], options: ["minLength": 10])
        #expect(short.filters.isEmpty)
        #expect(short.head.headers["Content-Length"] == "255")
        #expect(!short.head.headers.contains("Vary"))
        #expect(long.filters.count == 1)
        #expect(custom.filters.count == 1)
    }

    @Test func typeListDecides() throws {
        let image = try respond(headers: [("Content-Type", "image/png")])
        let noType = try respond(headers: [])
        let svg = try respond(headers: [("Content-Type", "image/svg+xml")])
        let wildcard = try respond(headers: [("Content-Type", "text/csv")], options: ["types": ["text/*"]])
        let excluded = try respond(headers: [("Content-Type", "text/html")], options: ["types": ["application/json"]])
        #expect(image.filters.isEmpty)
        #expect(!image.head.headers.contains("Vary"))
        #expect(noType.filters.isEmpty)
        #expect(svg.filters.count == 1)
        #expect(wildcard.filters.count == 1)
        #expect(excluded.filters.isEmpty)
    }

    @Test func compressedResponseDecodes() throws {
        let outcome = try respond()
        let encoder = try #require(outcome.filters.first)
        let body = textBytes(5000)
        #expect(try run(GzipDecoder(), run(encoder, body, chunkSize: 300), chunkSize: 64) == body)
    }

    @Test(arguments: [
        (["level": 0], "middleware[1].level"), (["level": 10], "middleware[1].level"),
        (["level": "fast"], "middleware[1].level"), (["minLength": -1], "middleware[1].minLength"),
        (["types": ["text"]], "middleware[1].types[0]"), (["types": ["text/html", "*/*"]], "middleware[1].types[1]"),
        (["types": ["text/ html"]], "middleware[1].types[0]"), (["mimeTypes": []], "middleware[1].mimeTypes"),
    ] as [([String: Any], String)])
    func configErrorsNameTheKey(options: [String: Any], key: String) {
        let error = configurationError { _ = try GzipMiddleware(options: makeOptions(options)) }
        #expect(error?.key == key)
    }
}

@Suite("gzip window size")
struct GzipWindowTests {
    @Test func windowFitsKnownLength() {
        #expect(GzipEncoder.windowSize(for: nil) == (15, 8))
        #expect(GzipEncoder.windowSize(for: 1 << 20) == (15, 8))
        #expect(GzipEncoder.windowSize(for: 16_384) == (15, 8))
        #expect(GzipEncoder.windowSize(for: 16_383) == (14, 7))
        #expect(GzipEncoder.windowSize(for: 2000) == (11, 4))
        #expect(GzipEncoder.windowSize(for: 0) == (9, 2))
    }

    @Test(arguments: [0, 1, 300, 2000, 9000, 40_000])
    func smallWindowRoundTrips(length: Int) throws {
        let body = textBytes(length / 2) + randomBytes(length - length / 2)
        let compressed = try run(GzipEncoder(level: 9, expectedLength: length), body, chunkSize: 700)
        #expect(try run(GzipDecoder(), compressed, chunkSize: 700) == body)
        #expect(try systemGzip(["-dc"], compressed) == body)
    }
}

@Suite("gzip field checks")
struct GzipFieldCheckTests {
    @Test(arguments: [" TEXT/HTML ;charset=utf-8", "text/html\t", "Text/Html;", "text/html"])
    func mediaTypeIsTrimmedAndCaseFolded(contentType: String) throws {
        let outcome = try respond(headers: [("Content-Type", contentType)])
        #expect(outcome.filters.count == 1)
    }

    @Test(arguments: ["text/htm", "text/html2", "xtext/html", "text /html", "", ";text/html"])
    func nearMissMediaTypeIsNotCompressed(contentType: String) throws {
        let outcome = try respond(headers: [("Content-Type", contentType)])
        #expect(outcome.filters.isEmpty)
        #expect(!outcome.head.headers.contains("Vary"))
    }

    @Test func firstContentTypeDecides() throws {
        let outcome = try respond(headers: [("Content-Type", "image/png"), ("content-type", "text/html")])
        #expect(outcome.filters.isEmpty)
    }

    @Test func wildcardMatchesAnyCase() throws {
        let outcome = try respond(headers: [("Content-Type", "TEXT/CSV")], options: ["types": ["text/*"]])
        let other = try respond(headers: [("Content-Type", "texts/csv")], options: ["types": ["text/*"]])
        #expect(outcome.filters.count == 1)
        #expect(other.filters.isEmpty)
    }

    @Test func nonASCIIContentTypeFollowsUnicodeLowercasing() throws {
        // U+212A KELVIN SIGN lowercases to "k", so this names text/markdown as String.lowercased() sees it.
        let outcome = try respond(
            headers: [("Content-Type", "text/mar\u{212A}down")], options: ["types": ["text/markdown"]])
        #expect(outcome.filters.count == 1)
    }

    @Test(arguments: ["no-transform", " NO-TRANSFORM ", "max-age=1,no-transform", "public,\tNo-Transform\t,x"])
    func noTransformInAnyCacheControlField(directive: String) throws {
        let headers = [("Content-Type", "text/html"), ("Cache-Control", "public"), ("cache-control", directive)]
        let outcome = try respond(headers: headers)
        #expect(outcome.filters.isEmpty)
        #expect(outcome.head.headers == HTTPHeaders(headers))
    }

    @Test(arguments: ["no-transformx", "no_transform", "no\rtransform", "\"no-transform\"", "no-transform=1"])
    func otherCacheControlDirectivesAllowGzip(directive: String) throws {
        let outcome = try respond(headers: [("Content-Type", "text/html"), ("Cache-Control", directive)])
        #expect(outcome.filters.count == 1)
    }

    @Test func repeatedContentLengthIsIgnoredForMinLength() throws {
        let outcome = try respond(
            headers: [("Content-Type", "text/html"), ("Content-Length", "10"), ("Content-Length", "10")])
        #expect(outcome.filters.count == 1)
    }
}
