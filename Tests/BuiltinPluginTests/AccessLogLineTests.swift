// Tests of access log line building: the origin field written from bytes, escaping and buffer growth.

import Foundation
import SwitchyardPlugin
import Testing

@testable import SwitchyardBuiltins

/// 2024-05-01T12:34:56.789Z.
private let fixedTime = Date(timeIntervalSince1970: 1_714_566_896.789)

/// The JSON line for `context`, parsed back into an object.
private func jsonObject(_ context: RequestContext) throws -> [String: Any] {
    let second = LogTimestamp().second(of: fixedTime)
    let bytes = AccessLogLine.json(context, second: second).bytes
    #expect(bytes.last == UInt8(ascii: "\n"))
    return try #require(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
}

private func context(upstream: Upstream) -> RequestContext {
    let context = makeContext(target: "/storeA/", startTime: fixedTime)
    context.upstream = upstream
    return context
}

@Suite("access-log line")
struct AccessLogLineTests {
    @Test(arguments: [
        Upstream(scheme: "http", host: "127.0.0.1", port: 80, target: "/"),
        Upstream(scheme: "http", host: "127.0.0.1", port: 8080, target: "/"),
        Upstream(scheme: "https", host: "a.example", port: 443, target: "/"),
        Upstream(scheme: "https", host: "a.example", port: 80, target: "/"),
        Upstream(scheme: "https", host: "::1", port: 443, target: "/"),
        Upstream(scheme: "http", host: "2001:db8::7", port: 9000, target: "/"),
        Upstream(scheme: "https", host: "bücher.example", port: 8443, target: "/"),
        Upstream(scheme: "http", host: "a\"b\\c", port: 81, target: "/"),
        Upstream(scheme: "http", host: "a.example", port: -1, target: "/"),
    ])
    func originFieldMatchesUpstreamOrigin(upstream: Upstream) throws {
        let object = try jsonObject(context(upstream: upstream))

        #expect(object["origin"] as? String == upstream.origin)
    }

    @Test func longEscapedValuesGrowTheLine() throws {
        let userAgent = String(repeating: "\u{1}\"\\", count: 400)
        let context = makeContext(headers: HTTPHeaders([("user-agent", userAgent)]), startTime: fixedTime)
        context.failure = String(repeating: "\n", count: 300)

        let object = try jsonObject(context)

        #expect(object["user_agent"] as? String == userAgent)
        #expect(object["failure"] as? String == context.failure)
        #expect(object["time"] as? String == "2024-05-01T12:34:56.789Z")
    }

    @Test func firstRepeatedHeaderIsLogged() throws {
        let headers = HTTPHeaders([
            ("Referer", "https://first.example/"), ("User-Agent", "first"), ("REFERER", "https://second.example/"),
            ("user-agent", "second"),
        ])

        let object = try jsonObject(makeContext(headers: headers, startTime: fixedTime))

        #expect(object["user_agent"] as? String == "first")
        #expect(object["referer"] as? String == "https://first.example/")
    }

    @Test func negativeAndLargeNumbers() throws {
        let context = makeContext(startTime: fixedTime)
        context.responseStatus = -5
        context.originStatus = Int.min
        context.bytesSent = 1_000_000_007
        context.duration = 0.0000004

        let line = String(decoding: AccessLogLine.json(context, second: LogTimestamp().second(of: fixedTime)).bytes,
            as: UTF8.self)

        #expect(line.contains(#""status":-5,"#))
        #expect(line.contains(#""origin_status":-9223372036854775807,"#))
        #expect(line.contains(#""bytes_sent":1000000007,"#))
        #expect(line.contains(#""duration_ms":0.000,"#))
    }
}
