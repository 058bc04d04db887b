// Tests of the per-thread routing value cache: store changes take effect at once, and cached values stay exact.

import Foundation
import SwitchyardPlugin
import Testing

@testable import SwitchyardBuiltins

private func makeRouting(_ store: InMemoryKeyValue) throws -> RoutingLookupMiddleware {
    try RoutingLookupMiddleware(
        options: makeOptions(["namespace": "ROUTING_CONFIG"]), environment: makeEnvironment(keyValue: store))
}

/// Routes `target` and returns the upstream, or the status of the local response as a failure.
private func upstream(_ middleware: RoutingLookupMiddleware, _ store: InMemoryKeyValue, _ target: String) -> Upstream? {
    let context = makeContext(target: target, keyValue: store)
    guard case .proceed = middleware.selectUpstream(context) else { return nil }
    return context.upstream
}

private func status(_ middleware: RoutingLookupMiddleware, _ store: InMemoryKeyValue, _ target: String) -> Int? {
    guard case .respond(let response) = middleware.selectUpstream(makeContext(target: target, keyValue: store)) else {
        return nil
    }
    return response.head.status
}

@Suite("routing value cache")
struct RouteValueCacheTests {
    @Test func storeChangeTakesEffectOnNextRequest() throws {
        let store = InMemoryKeyValue(values: ["s": #"{"origin": "http://a.example"}"#])
        let middleware = try makeRouting(store)

        let first = upstream(middleware, store, "/s/x")
        store.values["s"] = Array(#"{"origin": "https://b.example:8443/base", "redirect": "follow"}"#.utf8)
        let second = upstream(middleware, store, "/s/x?q")
        store.values["s"] = Array(#"{"origin": "http://a.example"}"#.utf8)
        let third = upstream(middleware, store, "/s/y")

        #expect(first?.host == "a.example")
        #expect(second?.host == "b.example")
        #expect(second?.port == 8443)
        #expect(second?.target == "/base/x?q")
        #expect(second?.redirectMode == .follow)
        #expect(third?.host == "a.example")
        #expect(third?.target == "/y")
        #expect(third?.redirectMode == .pass)
    }

    @Test func manyKeysKeepTheirOwnValues() throws {
        // More keys than slots, so some share a slot and replace each other's entries.
        let count = RouteValueCache.slotCount * 3
        var values: [String: String] = [:]
        for index in 0..<count {
            values["store\(index)"] = #"{"origin": "http://host\#(index).example:\#(1000 + index)"}"#
        }
        let store = InMemoryKeyValue(values: values)
        let middleware = try makeRouting(store)

        for round in 0..<2 {
            for index in 0..<count {
                let routed = upstream(middleware, store, "/store\(index)/p")
                #expect(routed?.host == "host\(index).example", "round \(round)")
                #expect(routed?.port == 1000 + index, "round \(round)")
            }
        }
    }

    @Test func invalidValueFailsEveryTime() throws {
        let store = InMemoryKeyValue(values: ["s": #"{"origin": "ftp://a.example"}"#])
        let middleware = try makeRouting(store)

        #expect(status(middleware, store, "/s/") == 500)
        #expect(status(middleware, store, "/s/") == 500)
        store.values["s"] = Array(#"{"origin": "http://a.example"}"#.utf8)
        #expect(upstream(middleware, store, "/s/")?.host == "a.example")
        store.values["s"] = Array(#"{"origin": "ftp://a.example"}"#.utf8)
        #expect(status(middleware, store, "/s/") == 500)
    }

    @Test func longValueIsParsedEachTime() throws {
        let padding = String(repeating: "x", count: RouteValueCache.maxValueBytes)
        let store = InMemoryKeyValue(values: ["s": #"{"origin": "http://a.example", "note": "\#(padding)"}"#])
        let middleware = try makeRouting(store)

        #expect(upstream(middleware, store, "/s/")?.host == "a.example")
        store.values["s"] = Array(#"{"origin": "http://b.example", "note": "\#(padding)"}"#.utf8)
        #expect(upstream(middleware, store, "/s/")?.host == "b.example")
    }

    @Test func cachedValuesMatchAFreshParse() throws {
        let store = InMemoryKeyValue(values: ["s": #"{"origin": "https://[::1]:9443/p/", "verifyTLS": false}"#])
        let middleware = try makeRouting(store)

        let first = upstream(middleware, store, "/s/a")
        let second = upstream(middleware, store, "/s/a")

        #expect(first != nil)
        #expect(first == second)
        #expect(second?.host == "::1")
        #expect(second?.target == "/p/a")
        #expect(second?.verifyCertificate == false)
    }

    @Test(arguments: ["/caf%C3%A9/x", "/a%C2%A0b/x", "/%E2%80%8B/x", "/%F0%9F%98%80/x"])
    func nonControlUnicodeKeyIsLookedUp(target: String) throws {
        let store = InMemoryKeyValue(values: [:])
        let middleware = try makeRouting(store)

        #expect(status(middleware, store, target) == 404)
    }

    @Test(arguments: ["/a%C2%80", "/a%C2%9F", "/%C2%9Fb/x"])
    func c1ControlKeyGets400(target: String) throws {
        let store = InMemoryKeyValue(values: [:])
        let middleware = try makeRouting(store)

        #expect(status(middleware, store, target) == 400)
    }
}
