// Tests of Location rewriting and of the Fetch standard's redirect method rules, without sockets.

import SwitchyardPlugin
import Testing

@testable import SwitchyardGateway

private let plainOrigin = Upstream(
    scheme: "http", host: "127.0.0.1", port: 8080, target: "/a/b?x=1", basePath: "", gatewayPrefix: "/storeA")
private let baseOrigin = Upstream(
    scheme: "https", host: "shop.example", port: 443, target: "/base/a", basePath: "/base", gatewayPrefix: "/storeB")

@Suite("redirect rules")
struct RedirectRulesTests {
    @Test(arguments: [
        ("/login", "/storeA/login"),
        ("http://127.0.0.1:8080/cart?x=1", "/storeA/cart?x=1"),
        ("http://127.0.0.1:8080", "/storeA/"),
        ("https://elsewhere.example/x", "https://elsewhere.example/x"),
        ("http://127.0.0.1:9999/x", "http://127.0.0.1:9999/x"),
        ("relative/path", "relative/path"),
        ("//127.0.0.1:8080/x", "//127.0.0.1:8080/x"),
    ])
    func locationRewrittenForOriginOnly(location: String, expected: String) {
        #expect(Redirects.rewriteLocation(location, upstream: plainOrigin) == expected)
    }

    @Test(arguments: [
        ("/base/login", "/storeB/login"),
        ("https://shop.example/base?q", "/storeB/?q"),
        ("/other", "/other"),
        ("/basement", "/basement"),
    ])
    func locationRewriteStripsBasePath(location: String, expected: String) {
        #expect(Redirects.rewriteLocation(location, upstream: baseOrigin) == expected)
    }

    @Test(arguments: [
        (303, "POST", "GET", true), (303, "PUT", "GET", true), (303, "HEAD", "HEAD", false),
        (301, "POST", "GET", true), (302, "POST", "GET", true), (302, "PUT", "PUT", false),
        (307, "POST", "POST", false), (308, "PUT", "PUT", false), (301, "GET", "GET", false),
    ])
    func methodRulesFollowFetch(status: Int, method: String, expectedMethod: String, dropsBody: Bool) throws {
        let hop = try #require(Redirects.nextHop(status: status, location: "/next", method: method, current: plainOrigin))
        #expect(hop.method == expectedMethod)
        #expect(hop.dropsBody == dropsBody)
        #expect(hop.upstream.target == "/next")
    }

    @Test func nonRedirectStatusNotFollowed() {
        #expect(Redirects.nextHop(status: 300, location: "/x", method: "GET", current: plainOrigin) == nil)
        #expect(Redirects.nextHop(status: 304, location: "/x", method: "GET", current: plainOrigin) == nil)
    }

    @Test(arguments: ["ftp://example.com/x", "javascript:alert(1)", "mailto:a@example.com"])
    func onlyHTTPSchemesFollowed(location: String) {
        #expect(Redirects.resolve(location, against: plainOrigin) == nil)
    }

    @Test func relativeLocationsResolve() throws {
        let sibling = try #require(Redirects.resolve("c", against: plainOrigin))
        #expect(sibling.target == "/a/c")
        let query = try #require(Redirects.resolve("?y=2", against: plainOrigin))
        #expect(query.target == "/a/b?y=2")
        let otherHost = try #require(Redirects.resolve("https://[::1]:9443/z#frag", against: plainOrigin))
        #expect(otherHost.scheme == "https")
        #expect(otherHost.host == "::1")
        #expect(otherHost.port == 9443)
        #expect(otherHost.target == "/z")
    }

    @Test(arguments: ["http://", "http://host:0/", "http://host:70000/", "http://[::1/"])
    func invalidOriginURLsRejected(text: String) {
        #expect(OriginURL(text) == nil)
    }
}
