// Unit tests for SNI certificate selection and ALPN list handling, without sockets.
@testable import SwitchyardTLS
import Testing

@Suite struct CertificateSelectorTests {
    let selector = CertificateSelector(namesPerCertificate: [
        ["default.test"],
        ["*.shop.test"],
        ["exact.shop.test", "Other.Test"],
    ])

    @Test func exactNameSelectsCertificate() {
        #expect(selector.certificateIndex(forServerName: "default.test") == 0)
        #expect(selector.certificateIndex(forServerName: "other.test") == 2)
    }

    @Test func exactMatchBeatsEarlierWildcard() {
        #expect(selector.certificateIndex(forServerName: "exact.shop.test") == 2)
    }

    @Test func wildcardMatchesOneLabel() {
        #expect(selector.certificateIndex(forServerName: "a.shop.test") == 1)
        #expect(selector.certificateIndex(forServerName: "a.b.shop.test") == nil)
        #expect(selector.certificateIndex(forServerName: "shop.test") == nil)
        #expect(selector.certificateIndex(forServerName: ".shop.test") == nil)
    }

    @Test func matchingIgnoresCaseAndTrailingDot() {
        #expect(selector.certificateIndex(forServerName: "A.SHOP.Test.") == 1)
        #expect(selector.certificateIndex(forServerName: "DEFAULT.TEST") == 0)
    }

    @Test func unknownOrEmptyNameSelectsNothing() {
        #expect(selector.certificateIndex(forServerName: "unknown.test") == nil)
        #expect(selector.certificateIndex(forServerName: "") == nil)
        #expect(selector.certificateIndex(forServerName: ".") == nil)
    }
}

@Suite struct ALPNTests {
    @Test func wireFormatPrefixesLengths() throws {
        #expect(try ALPN.wireFormat(["h2", "http/1.1"]) == [2] + Array("h2".utf8) + [8] + Array("http/1.1".utf8))
    }

    @Test func wireFormatRejectsEmptyName() {
        #expect(throws: TLSError.self) { try ALPN.wireFormat([""]) }
        #expect(throws: TLSError.self) { try ALPN.wireFormat([String(repeating: "x", count: 256)]) }
    }

    @Test func selectionFollowsServerPreference() throws {
        let client = try ALPN.wireFormat(["h2", "http/1.1"])
        let chosen = client.withUnsafeBufferPointer {
            ALPN.select(serverPreference: [Array("http/1.1".utf8), Array("h2".utf8)], clientWire: $0)
        }
        #expect(chosen.map { Array(client[$0]) } == Array("http/1.1".utf8))
    }

    @Test func selectionWithoutOverlapIsNil() throws {
        let client = try ALPN.wireFormat(["h2"])
        let chosen = client.withUnsafeBufferPointer {
            ALPN.select(serverPreference: [Array("http/1.1".utf8)], clientWire: $0)
        }
        #expect(chosen == nil)
    }

    @Test func malformedListStopsAtOverrun() {
        let wire: [UInt8] = [2, 0x68, 0x32, 9, 0x68]
        let ranges = wire.withUnsafeBufferPointer { ALPN.ranges(in: $0) }
        #expect(ranges == [1..<3])
    }
}
