// Tests of the access-log middleware: JSON and combined lines, escaping, file errors and reopening.

import Dispatch
import Foundation
import SwitchyardPlugin
import Testing

@testable import SwitchyardBuiltins

/// 2024-05-01T12:34:56.789Z.
private let fixedTime = Date(timeIntervalSince1970: 1_714_566_896.789)

private func makeLog(_ folder: TemporaryFolder, format: String = "json", path: String = "access.log") throws
    -> AccessLogMiddleware
{
    try AccessLogMiddleware(
        options: makeOptions(["format": format, "path": path]), environment: makeEnvironment(directory: folder.url))
}

private func lines(_ url: URL) throws -> [String] {
    try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        .map(String.init)
}

private func proxiedContext() -> RequestContext {
    let context = makeContext(
        target: "/storeA/cart?id=1",
        headers: HTTPHeaders([("User-Agent", "curl/8.0 \"quoted\" \\ \u{1}"), ("Referer", "https://r.example/")]),
        startTime: fixedTime)
    context.storefrontID = "storeA"
    context.upstream = Upstream(scheme: "https", host: "a.example", port: 8443, target: "/cart?id=1")
    context.responseStatus = 200
    context.originStatus = 201
    context.originDuration = 0.0125
    context.bytesSent = 1234
    context.duration = 0.0200004
    return context
}

@Suite("access-log")
struct AccessLogTests {
    @Test func jsonLineParsesBack() throws {
        let folder = try TemporaryFolder()
        let log = try makeLog(folder)

        log.log(proxiedContext())

        let written = try lines(folder.url.appendingPathComponent("access.log"))
        #expect(written.count == 1)
        let object = try #require(JSONSerialization.jsonObject(with: Data(written[0].utf8)) as? [String: Any])
        #expect(object["time"] as? String == "2024-05-01T12:34:56.789Z")
        #expect(object["request_id"] as? String == "req-1")
        #expect(object["client"] as? String == "192.0.2.7")
        #expect(object["method"] as? String == "GET")
        #expect(object["path"] as? String == "/storeA/cart?id=1")
        #expect(object["status"] as? Int == 200)
        #expect(object["bytes_sent"] as? Int == 1234)
        #expect(object["duration_ms"] as? Double == 20.0)
        #expect(object["storefront_id"] as? String == "storeA")
        #expect(object["origin"] as? String == "https://a.example:8443")
        #expect(object["origin_status"] as? Int == 201)
        #expect(object["origin_ms"] as? Double == 12.5)
        #expect(object["user_agent"] as? String == "curl/8.0 \"quoted\" \\ \u{1}")
        #expect(object["referer"] as? String == "https://r.example/")
        #expect(object["failure"] is NSNull)
    }

    @Test func jsonAbsentValuesAreNull() throws {
        let folder = try TemporaryFolder()
        let log = try makeLog(folder)
        let context = makeContext(target: "/", startTime: fixedTime)
        context.failure = "client closed\nconnection"

        log.log(context)

        let written = try lines(folder.url.appendingPathComponent("access.log"))
        #expect(written.count == 1)
        let object = try #require(JSONSerialization.jsonObject(with: Data(written[0].utf8)) as? [String: Any])
        for key in ["status", "duration_ms", "storefront_id", "origin", "origin_status", "origin_ms", "user_agent"] {
            #expect(object[key] is NSNull, "\(key) should be null")
        }
        #expect(object["bytes_sent"] as? Int == 0)
        #expect(object["failure"] as? String == "client closed\nconnection")
    }

    @Test func combinedLineFormat() throws {
        let folder = try TemporaryFolder()
        let log = try makeLog(folder, format: "combined")

        log.log(proxiedContext())

        let written = try lines(folder.url.appendingPathComponent("access.log"))
        let second = LogTimestamp().second(of: fixedTime)
        let time = String(decoding: second.common, as: UTF8.self)
        #expect(written == [
            #"192.0.2.7 - - [\#(time)] "GET /storeA/cart?id=1 HTTP/1.1" 200 1234 "https://r.example/" "#
                + #""curl/8.0 \"quoted\" \\ \x01""#,
        ])
    }

    @Test func combinedAbsentValuesAreDashes() throws {
        let folder = try TemporaryFolder()
        let log = try makeLog(folder, format: "combined")

        log.log(makeContext(method: "POST", target: "/\"x\"", startTime: fixedTime))

        let line = try #require(try lines(folder.url.appendingPathComponent("access.log")).first)
        #expect(line.hasSuffix(#"] "POST /\"x\" HTTP/1.1" - - "-" "-""#))
    }

    @Test func combinedTimeIsLocalTime() {
        let second = LogTimestamp().second(of: fixedTime)
        let text = String(decoding: second.common, as: UTF8.self)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = "dd/MMM/yyyy:HH:mm:ss Z"
        #expect(text == formatter.string(from: fixedTime))
        #expect(String(decoding: second.rfc3339, as: UTF8.self) == "2024-05-01T12:34:56")
    }

    @Test func reopenAfterRename() throws {
        let folder = try TemporaryFolder()
        let log = try makeLog(folder)
        let current = folder.url.appendingPathComponent("access.log")
        let rotated = folder.url.appendingPathComponent("access.log.1")
        let first = proxiedContext()
        let second = makeContext(target: "/second", startTime: fixedTime)

        log.log(first)
        try FileManager.default.moveItem(at: current, to: rotated)
        log.reopenFiles()
        log.log(second)

        let old = try lines(rotated)
        let new = try lines(current)
        #expect(old.count == 1)
        #expect(old.first?.contains("\"path\":\"/storeA/cart?id=1\"") == true)
        #expect(new.count == 1)
        #expect(new.first?.contains("\"path\":\"/second\"") == true)
    }

    @Test func concurrentWritesAndReopenLoseNoLine() throws {
        let folder = try TemporaryFolder()
        let log = try makeLog(folder)
        let current = folder.url.appendingPathComponent("access.log")
        let lineCount = 2000

        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            if worker == 0 {
                for index in 0..<20 {
                    try? FileManager.default.moveItem(
                        at: current, to: folder.url.appendingPathComponent("access.log.\(index)"))
                    log.reopenFiles()
                }
                return
            }
            for _ in 0..<(lineCount / 3 + 1) {
                log.log(proxiedContext())
            }
        }

        let files = try FileManager.default.contentsOfDirectory(at: folder.url, includingPropertiesForKeys: nil)
        let all = try files.flatMap(lines)
        #expect(all.count == 3 * (lineCount / 3 + 1))
        #expect(all.allSatisfy { $0.hasPrefix("{\"time\":") && $0.hasSuffix("}") })
    }

    @Test func unopenablePathIsConfigError() throws {
        let folder = try TemporaryFolder()
        let error = configurationError { _ = try makeLog(folder, path: "missing/dir/access.log") }
        #expect(error?.key == "middleware[1].path")
        #expect(error?.message.contains(folder.url.appendingPathComponent("missing/dir/access.log").path) == true)
        #expect(error?.message.contains("No such file or directory") == true)
    }

    @Test func invalidOptionsNameTheKey() throws {
        let folder = try TemporaryFolder()
        let format = configurationError { _ = try makeLog(folder, format: "xml") }
        let empty = configurationError { _ = try makeLog(folder, path: "") }
        let unknown = configurationError {
            _ = try AccessLogMiddleware(options: makeOptions(["file": "x"]), environment: makeEnvironment())
        }
        #expect(format?.key == "middleware[1].format")
        #expect(empty?.key == "middleware[1].path")
        #expect(unknown?.key == "middleware[1].file")
    }

    @Test func dashMeansStandardOutput() throws {
        let log = try AccessLogMiddleware(options: makeOptions(["path": "-"]), environment: makeEnvironment())
        #expect(log.file.path == nil)
        #expect(log.phases == .logging)
    }
}
