// Tests of the html-banner middleware: insertion point, tags split across chunks and untouched responses.

import HtmlBanner
import SwitchyardPlugin
import SwitchyardPluginTestKit
import Testing

private let page = "<!doctype html><html><head><title>x</title></head><BODY class=\"a>b\"><p>hi</p></body></html>"
private let expected = "<!doctype html><html><head><title>x</title></head><BODY class=\"a>b\"><b>NEW</b><p>hi</p></body></html>"

private func runner() throws -> MiddlewareTestRunner {
    let middleware = try MiddlewareTestRunner.makeMiddleware(
        name: "html-banner", options: ["banner": "<b>NEW</b>"], register: registerHtmlBanner)
    return MiddlewareTestRunner([middleware])
}

@Test func bannerFollowsBodyTag() async throws {
    let result = try await runner().run(RequestHead(method: "GET", target: "/"), origin: .text(page, contentType: "text/html"))
    #expect(result.bodyText == expected)
}

@Test func tagSplitAtEveryOffsetIsFound() async throws {
    for split in 1..<page.utf8.count {
        let origin = SyntheticOrigin.text(page, contentType: "text/html; charset=utf-8", chunkSizes: [split])
        let result = try await runner().run(RequestHead(method: "GET", target: "/"), origin: origin)
        #expect(result.bodyText == expected, "split at \(split)")
    }
}

@Test func oneByteChunksAreRewritten() async throws {
    let origin = SyntheticOrigin.text(page, contentType: "text/html", chunkSizes: Array(repeating: 1, count: page.utf8.count))
    let result = try await runner().run(RequestHead(method: "GET", target: "/"), origin: origin)
    #expect(result.bodyText == expected)
}

@Test func similarTagNamesAreSkipped() async throws {
    let html = "<bodyguard>x</bodyguard><body>y"
    let result = try await runner().run(RequestHead(method: "GET", target: "/"), origin: .text(html, contentType: "text/html"))
    #expect(result.bodyText == "<bodyguard>x</bodyguard><body><b>NEW</b>y")
}

@Test func bodyWithoutTagPassesUnchanged() async throws {
    let html = "<p>fragment <bod"
    let result = try await runner().run(RequestHead(method: "GET", target: "/"), origin: .text(html, contentType: "text/html"))
    #expect(result.bodyText == html)
}

@Test func nonHTMLPassesUnchanged() async throws {
    let result = try await runner().run(RequestHead(method: "GET", target: "/"), origin: .text("<body>", contentType: "text/plain"))
    #expect(result.bodyText == "<body>")
    #expect(result.context.responseBodyFilters.isEmpty)
}

@Test func emptyBannerIsRejected() throws {
    #expect(throws: ConfigurationError.self) {
        try MiddlewareTestRunner.makeMiddleware(name: "html-banner", options: ["banner": ""], register: registerHtmlBanner)
    }
}
