// Unit tests of the suite's pieces: templates, target checks, case selection, message parsing and the report.

import Testing
@testable import SwitchyardConformance

@Test func templateExpandsPlaceholders() {
    let bytes = Template.bytes("GET {P}/x HTTP/1.1\r\nHost: {H}\r\nX: {x00}{xff}\r\n", prefix: "/conf", host: "h:1")
    #expect(bytes == Array("GET /conf/x HTTP/1.1\r\nHost: h:1\r\nX: ".utf8) + [0x00, 0xFF] + Array("\r\n".utf8))
}

@Test func templateKeepsUnknownBraces() {
    #expect(Template.bytes("{json}") == Array("{json}".utf8))
}

@Test func printableEscapesControlBytes() {
    #expect(Template.printable([0x41, 0x0D, 0x0A, 0x00, 0x09, 0xE9]) == "A\\r\\n\\x00\\t\\xe9")
}

@Test func targetAcceptsLoopbackHosts() throws {
    for url in ["https://127.0.0.1:8443", "https://127.9.8.7:1", "https://localhost:443", "http://[::1]:80"] {
        let target = try Target(url: url, prefix: "/conf")
        #expect(target.port > 0)
    }
}

@Test func targetRejectsOtherHosts() {
    for url in ["https://10.0.0.1:443", "https://example.com", "https://[2001:db8::1]:443", "https://0.0.0.0:1",
                "https://::ffff:127.0.0.1:1"] {
        #expect(throws: ConformanceError.self) { try Target(url: url, prefix: "/conf") }
    }
}

@Test func targetRejectsBadPrefix() {
    #expect(throws: ConformanceError.self) { try Target(url: "https://127.0.0.1:1", prefix: "conf") }
    #expect(throws: ConformanceError.self) { try Target(url: "https://127.0.0.1:1", prefix: "/conf/") }
}

@Test func targetSendsSNIOnlyForNames() throws {
    #expect(try Target(url: "https://127.0.0.1:1", prefix: "/c").serverName == nil)
    #expect(try Target(url: "https://localhost:1", prefix: "/c").serverName == "localhost")
}

@Test func selectionFiltersBySubstringAndGlob() {
    let all = ConformanceRunner.catalogue
    let framing = ConformanceRunner.select(all, profiles: Set(Profile.allCases), filter: "framing.cl-")
    #expect(!framing.isEmpty)
    #expect(framing.allSatisfy { $0.id.contains("framing.cl-") || $0.title.lowercased().contains("framing.cl-") })
    let glob = ConformanceRunner.select(all, profiles: Set(Profile.allCases), filter: "tls.version-*")
    #expect(glob.map(\.id).sorted() == glob.map(\.id).filter { $0.hasPrefix("tls.version-") }.sorted())
    #expect(glob.count == 5)
    let tlsOnly = ConformanceRunner.select(all, profiles: [.tls], filter: nil)
    #expect(tlsOnly.allSatisfy { $0.profile == .tls })
}

@Test func catalogueIdsAreUniqueAndTraced() {
    let cases = ConformanceRunner.catalogue
    #expect(cases.count >= 150)
    #expect(Set(cases.map(\.id)).count == cases.count)
    for testCase in cases {
        #expect(testCase.clause.hasPrefix("RFC") || testCase.clause.hasPrefix("Switchyard docs"), "\(testCase.id)")
        #expect(!testCase.sent.isEmpty, "\(testCase.id)")
        #expect(!testCase.expected.isEmpty, "\(testCase.id)")
    }
    for profile in Profile.allCases {
        #expect(cases.contains { $0.profile == profile })
    }
}

@Test func headParserSplitsCRLFLines() throws {
    let head = try MessageStream.parseHead(Array("HTTP/1.1 200 OK\r\nA: 1\r\nb:  2 \r\n\r\n".utf8))
    #expect(head.startLine == "HTTP/1.1 200 OK")
    #expect(head.values("a") == ["1"])
    #expect(head.values("B") == ["2"])
}

@Test func streamReadsChunkedBodyWithTrailers() throws {
    var pending = Array("5;x=y\r\nhello\r\n0\r\nT: v\r\n\r\nrest".utf8)
    let stream = MessageStream { _ in
        defer { pending = [] }
        return pending.isEmpty ? .closed(clean: true) : .data(pending)
    }
    let chunked = try stream.readChunked(deadline: .after(1))
    #expect(chunked.data == Array("hello".utf8))
    #expect(chunked.trailers.first?.0 == "T")
    #expect(stream.buffer == Array("rest".utf8))
}

@Test func streamReportsCloseBeforeHead() {
    let stream = MessageStream { _ in .closed(clean: false) }
    #expect(throws: StreamEnd.closed(clean: false)) { try stream.readHead(deadline: .after(1)) }
}

@Test func gzipRoundTrip() {
    let data = Array(String(repeating: "conformance ", count: 100).utf8)
    let compressed = GzipCodec.compress(data)
    #expect(compressed.count < data.count)
    #expect(GzipCodec.decompress(compressed) == data)
    #expect(GzipCodec.decompress(Array("not gzip".utf8)) == nil)
}

@Test func reportEndsWithSummaryLine() {
    let cases = Array(ConformanceRunner.catalogue.prefix(3))
    let results = [
        CaseResult(testCase: cases[0], outcome: .passed, duration: 0.1),
        CaseResult(testCase: cases[1], outcome: .failed(["expected 400, got 200"]), duration: 0.1),
        CaseResult(testCase: cases[2], outcome: .skipped("needs TLS"), duration: 0),
    ]
    let table = Report.table(results)
    #expect(table.hasSuffix("1 passed, 1 failed, 1 skipped\n"))
    #expect(table.contains("expected 400, got 200"))
    #expect(Report.failedIDs(results) == [cases[1].id])
    #expect(Report.json(results, target: "t").contains("\"failed\" : 1"))
}

@Test func statusRuleRejectedAcceptsCloseWithoutResponse() {
    var observation = Observation()
    observation.end = .closed(clean: true)
    #expect(StatusRule.rejected.failure(observation) == nil)
    observation.end = .timedOut
    #expect(StatusRule.rejected.failure(observation) != nil)
}
