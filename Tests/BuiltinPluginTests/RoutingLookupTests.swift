// Tests of the routing-lookup middleware: target splitting, local answers, routing values and upstreams.

import Foundation
import SwitchyardPlugin
import Testing

@testable import SwitchyardBuiltins

private let storeA = #"{"origin": "https://storefront-a.example.com"}"#

/// The outcome of one routing call: the local response if any, and the context afterwards.
private struct Routed {
    var response: LocalResponse?
    var proceeded: Bool
    var context: RequestContext

    var bodyText: String? { response.map { String(decoding: $0.body, as: UTF8.self) } }
}

private func route(
    _ target: String, values: [String: String] = ["storeA": storeA], redirect: String? = nil,
    sink: CapturingLogSink? = nil, failing: Bool = false
) throws -> Routed {
    let store = InMemoryKeyValue(values: values)
    store.failing = failing
    var options: [String: Any] = ["namespace": "ROUTING_CONFIG"]
    options["redirect"] = redirect
    let middleware = try RoutingLookupMiddleware(options: makeOptions(options), environment: makeEnvironment(keyValue: store))
    let context = makeContext(target: target, keyValue: store, sink: sink)
    switch middleware.selectUpstream(context) {
    case .proceed: return Routed(response: nil, proceeded: true, context: context)
    case .respond(let response): return Routed(response: response, proceeded: false, context: context)
    case .suspend: return Routed(response: nil, proceeded: false, context: context)
    @unknown default: return Routed(response: nil, proceeded: false, context: context)
    }
}

@Suite("routing-lookup")
struct RoutingLookupTests {
    @Test func forwardsRestOfPathAndQuery() throws {
        let routed = try route("/storeA/rest/of/path?q=1")
        #expect(routed.proceeded)
        let upstream = try #require(routed.context.upstream)
        #expect(upstream.scheme == "https")
        #expect(upstream.host == "storefront-a.example.com")
        #expect(upstream.port == 443)
        #expect(upstream.target == "/rest/of/path?q=1")
        #expect(upstream.basePath == "")
        #expect(upstream.gatewayPrefix == "/storeA")
        #expect(upstream.verifyCertificate)
        #expect(upstream.caFile == nil)
        #expect(upstream.redirectMode == .pass)
        #expect(routed.context.storefrontID == "storeA")
    }

    @Test(arguments: [
        ("/storeA", "/"), ("/storeA?x", "/?x"), ("/storeA/", "/"), ("/storeA/a%2Fb", "/a%2Fb"),
        ("/storeA/a%2fb?c=%2F", "/a%2fb?c=%2F"), ("/storeA//double", "//double"),
        ("/storeA/a/./b/../c", "/a/c"), ("/storeA/a/%2e%2E/b", "/b"), ("/storeA/a/.%2e", "/"),
        ("/x/../storeA/p", "/p"), ("/storeA/x/..?q=/..", "/?q=/.."), ("/storeA/.../x", "/.../x"),
        ("http://gateway.example/storeA/p?q", "/p?q"), ("HTTPS://gateway.example/storeA", "/"),
    ])
    func forwardedTarget(target: String, forwarded: String) throws {
        let routed = try route(target)
        #expect(routed.context.upstream?.target == forwarded)
    }

    @Test func dotSegmentsDecideTheKey() throws {
        let routed = try route("/other/%2E%2E/storeA/x")
        #expect(routed.context.storefrontID == "storeA")
        #expect(routed.context.upstream?.gatewayPrefix == "/storeA")
        #expect(routed.context.upstream?.target == "/x")
    }

    @Test(arguments: ["/", "", "/?q", "/?", "*", "//storeA", "/./", "/storeA/../", "/storeA/..", "http://gateway.example",
        "http://gateway.example?x", "/%2e%2e"])
    func missingSegmentGetsWelcome(target: String) throws {
        let routed = try route(target)
        #expect(routed.response?.head.status == 400)
        #expect(routed.response?.head.headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(routed.bodyText == "Welcome to our multi-tenant platform. Please specify a storefront ID in the URL path.")
        #expect(routed.context.upstream == nil)
    }

    @Test func unknownStorefrontGets404() throws {
        let routed = try route("/storeB/x")
        #expect(routed.response?.head.status == 404)
        #expect(routed.response?.head.headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(routed.bodyText == #"Storefront "storeB" not found."#)
        #expect(routed.context.upstream == nil)
    }

    @Test func notFoundNamesDecodedID() throws {
        let routed = try route("/caf%C3%A9%20shop/x")
        #expect(routed.response?.head.status == 404)
        #expect(routed.bodyText == #"Storefront "café shop" not found."#)
    }

    @Test func percentEncodedKeyIsDecodedForLookup() throws {
        let routed = try route("/store%41/x", values: ["storeA": storeA])
        #expect(routed.context.storefrontID == "storeA")
        #expect(routed.context.upstream?.gatewayPrefix == "/store%41")
    }

    @Test(arguments: [
        ("/a%2Fb/x", RouteKeyError.slash), ("/a%00b", .controlCharacter), ("/a%0Ab", .controlCharacter),
        ("/a%7F", .controlCharacter), ("/a%C2%85", .controlCharacter), ("/%FF%FE", .invalidUTF8),
        ("/%C3", .invalidUTF8), ("/a%zz", .invalidPercentEncoding), ("/a%4", .invalidPercentEncoding),
    ])
    func invalidKeyGets400(target: String, reason: RouteKeyError) throws {
        let routed = try route(target)
        #expect(routed.response?.head.status == 400)
        #expect(routed.response?.head.headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(routed.bodyText == reason.responseText)
    }

    @Test func extraFieldsAreIgnored() throws {
        let value = #"{"origin": "http://10.0.0.5:8080", "owner": {"team": "shop"}, "tags": [1, 2], "n": null}"#
        let routed = try route("/s/p", values: ["s": value])
        let upstream = try #require(routed.context.upstream)
        #expect(upstream.host == "10.0.0.5")
        #expect(upstream.port == 8080)
        #expect(upstream.scheme == "http")
    }

    @Test func defaultPorts() throws {
        let http = try route("/s", values: ["s": #"{"origin": "http://a.example"}"#])
        let https = try route("/s", values: ["s": #"{"origin": "https://a.example/"}"#])
        #expect(http.context.upstream?.port == 80)
        #expect(https.context.upstream?.port == 443)
        #expect(https.context.upstream?.target == "/")
    }

    @Test func basePathIsPrefixed() throws {
        let routed = try route("/s/cart?id=1", values: ["s": #"{"origin": "https://a.example/shops/s/"}"#])
        let upstream = try #require(routed.context.upstream)
        #expect(upstream.basePath == "/shops/s")
        #expect(upstream.target == "/shops/s/cart?id=1")
        #expect(upstream.gatewayPrefix == "/s")
    }

    @Test func ipv6Origin() throws {
        let routed = try route("/s/x", values: ["s": #"{"origin": "http://[::1]:8443/base"}"#])
        let upstream = try #require(routed.context.upstream)
        #expect(upstream.host == "::1")
        #expect(upstream.port == 8443)
        #expect(upstream.target == "/base/x")
        #expect(upstream.authority == "[::1]:8443")
    }

    @Test func valueSettingsAreApplied() throws {
        let value = #"{"origin": "https://a.example", "redirect": "follow", "verifyTLS": false, "caFile": "/etc/ca.pem"}"#
        let routed = try route("/s", values: ["s": value])
        let upstream = try #require(routed.context.upstream)
        #expect(upstream.redirectMode == .follow)
        #expect(!upstream.verifyCertificate)
        #expect(upstream.caFile == "/etc/ca.pem")
    }

    @Test func middlewareRedirectIsDefault() throws {
        let inherits = try route("/storeA", redirect: "follow")
        let overrides = try route(
            "/s", values: ["s": #"{"origin": "https://a.example", "redirect": "pass"}"#], redirect: "follow")
        #expect(inherits.context.upstream?.redirectMode == .follow)
        #expect(overrides.context.upstream?.redirectMode == .pass)
    }

    @Test(arguments: [
        ("not json", "JSON object"), ("{not json}", "not valid JSON"), (#"{"origin": "https://a.example""#, "JSON"),
        (#"["x"]"#, "JSON object"), (#"{"origin": null}"#, "\"origin\" is missing"), (#"{"redirect": "pass"}"#, "\"origin\" is missing"),
        (#"{"origin": 5}"#, "\"origin\""), (#"{"origin": "ftp://a.example"}"#, "http:// or https://"),
        (#"{"origin": "https://"}"#, "http:// or https://"), (#"{"origin": "https:///x"}"#, "no host"),
        (#"{"origin": "https://a.example?x=1"}"#, "query"), (#"{"origin": "https://a.example/#f"}"#, "fragment"),
        (#"{"origin": "https://u:p@a.example"}"#, "user info"), (#"{"origin": "https://a.example:0"}"#, "port"),
        (#"{"origin": "https://a.example:70000"}"#, "port"), (#"{"origin": "https://a.example:"}"#, "port"),
        (#"{"origin": "http://[::1"}"#, "IPv6"), (#"{"origin": "http://[zz]"}"#, "IPv6"),
        (#"{"origin": "http://a b"}"#, "host"), (#"{"origin": "https://a.example", "redirect": "loop"}"#, "redirect"),
        (#"{"origin": "https://a.example", "verifyTLS": "no"}"#, "verifyTLS"),
        (#"{"origin": "https://a.example", "verifyTLS": 1}"#, "verifyTLS"),
        (#"{"origin": "https://a.example", "caFile": "ca.pem"}"#, "absolute"),
    ])
    func invalidValueGets500AndLog(value: String, problem: String) throws {
        let sink = CapturingLogSink()
        let routed = try route("/bad/x", values: ["bad": value], sink: sink)
        #expect(routed.response?.head.status == 500)
        #expect(routed.response?.head.headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(routed.bodyText == "An error occurred while processing your request.")
        #expect(routed.context.upstream == nil)

        let record = try #require(sink.records.first)
        #expect(sink.records.count == 1)
        #expect(record.level == .error)
        #expect(record.metadata["storefront.id"] == "bad")
        #expect(record.message.contains("\"bad\""))
        #expect(record.metadata["error", default: ""].contains(problem))
    }

    @Test func storeFailureGets500AndLog() throws {
        let sink = CapturingLogSink()
        let routed = try route("/storeA/x", sink: sink, failing: true)
        #expect(routed.response?.head.status == 500)
        #expect(routed.bodyText == "An error occurred while processing your request.")
        #expect(sink.records.first?.level == .error)
        #expect(sink.records.first?.metadata["storefront.id"] == "storeA")
        #expect(sink.records.first?.metadata["error"] == "disk I/O error")
    }

    @Test func unknownNamespaceIsConfigError() {
        let error = configurationError {
            _ = try RoutingLookupMiddleware(
                options: makeOptions(["namespace": "ROUTES"]), environment: makeEnvironment())
        }
        #expect(error?.key == "middleware[1].namespace")
        #expect(error?.message.contains("ROUTING_CONFIG") == true)
    }

    @Test func optionErrorsNameTheKey() {
        let environment = makeEnvironment()
        let missing = configurationError {
            _ = try RoutingLookupMiddleware(options: makeOptions([:]), environment: environment)
        }
        let badRedirect = configurationError {
            _ = try RoutingLookupMiddleware(
                options: makeOptions(["namespace": "ROUTING_CONFIG", "redirect": "always"]), environment: environment)
        }
        let unknown = configurationError {
            _ = try RoutingLookupMiddleware(
                options: makeOptions(["namespace": "ROUTING_CONFIG", "cache": true]), environment: environment)
        }
        #expect(missing?.key == "middleware[1].namespace")
        #expect(badRedirect?.key == "middleware[1].redirect")
        #expect(unknown?.key == "middleware[1].cache")
    }

    @Test func registersFourBuiltins() throws {
        let registry = MiddlewareRegistry()
        try registerBuiltins(into: registry)
        #expect(registry.all.map(\.name) == ["routing-lookup", "header-injection", "access-log", "gzip"])
        #expect(registry.all.allSatisfy { $0.version == "1.0.0" && $0.library == "built-in" })
    }
}
