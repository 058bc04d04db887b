// Tests of the header-injection middleware: remove, set and add with variables, and configuration errors.

import SwitchyardPlugin
import Testing

@testable import SwitchyardBuiltins

@Suite("header-injection")
struct HeaderInjectionTests {
    @Test func responseSetAddRemove() throws {
        let middleware = try HeaderInjectionMiddleware(options: makeOptions([
            "response": [
                "remove": ["Server", "X-Powered-By"],
                "set": ["X-Served-By": "switchyard", "X-Storefront-ID": "${storefront_id}"],
                "add": ["Link": ["</a.css>; rel=preload", "</b.js>; rel=preload"], "X-Request-ID": "${request_id}"],
            ],
        ]))
        let context = makeContext()
        context.storefrontID = "storeA"
        var head = ResponseHead(status: 200, headers: HTTPHeaders([
            ("Server", "origin"), ("X-Served-By", "old"), ("x-powered-by", "php"), ("Link", "</c>; rel=next"),
        ]))

        middleware.responseHead(context, &head)

        #expect(middleware.phases == .responseHead)
        #expect(!head.headers.contains("Server"))
        #expect(!head.headers.contains("X-Powered-By"))
        #expect(head.headers.values("X-Served-By") == ["switchyard"])
        #expect(head.headers["X-Storefront-ID"] == "storeA")
        #expect(head.headers.values("Link") == ["</c>; rel=next", "</a.css>; rel=preload", "</b.js>; rel=preload"])
        #expect(head.headers["X-Request-ID"] == "req-1")
    }

    @Test func requestVariablesExpand() throws {
        let middleware = try HeaderInjectionMiddleware(options: makeOptions([
            "request": ["set": ["X-Client": "ip=${client_ip} id=${request_id} store=${storefront_id}!"]],
        ]))
        let context = makeContext()
        context.storefrontID = "s1"
        var head = RequestHead(method: "GET", target: "/x")

        middleware.upstreamRequestHead(context, &head)

        #expect(middleware.phases == .upstreamRequest)
        #expect(head.headers["X-Client"] == "ip=192.0.2.7 id=req-1 store=s1!")
    }

    @Test func removeRunsBeforeSetAndAdd() throws {
        let middleware = try HeaderInjectionMiddleware(options: makeOptions([
            "request": ["remove": ["X-A", "X-B"], "set": ["X-A": "set"], "add": ["X-B": "added"]],
        ]))
        var head = RequestHead(method: "GET", target: "/", headers: HTTPHeaders([("X-A", "client"), ("X-B", "client")]))

        middleware.upstreamRequestHead(makeContext(), &head)

        #expect(head.headers.values("X-A") == ["set"])
        #expect(head.headers.values("X-B") == ["added"])
    }

    @Test func emptyExpansionSkipsField() throws {
        let middleware = try HeaderInjectionMiddleware(options: makeOptions([
            "response": ["set": ["X-Storefront-ID": "${storefront_id}"], "add": ["X-Store": "${storefront_id}"]],
        ]))
        var head = ResponseHead(status: 400, headers: HTTPHeaders([("X-Storefront-ID", "from-origin")]))

        middleware.responseHead(makeContext(), &head)

        #expect(head.headers["X-Storefront-ID"] == "from-origin")
        #expect(!head.headers.contains("X-Store"))
    }

    @Test func lineBreakFromVariableSkipsField() throws {
        let middleware = try HeaderInjectionMiddleware(options: makeOptions([
            "response": ["set": ["X-Storefront-ID": "${storefront_id}"]],
        ]))
        let context = makeContext()
        context.storefrontID = "a\r\nSet-Cookie: x=1"
        var head = ResponseHead(status: 200)

        middleware.responseHead(context, &head)

        #expect(!head.headers.contains("X-Storefront-ID"))
    }

    @Test func literalDollarIsKept() throws {
        let middleware = try HeaderInjectionMiddleware(options: makeOptions([
            "response": ["set": ["X-Price": "$5 {x} $"]],
        ]))
        var head = ResponseHead(status: 200)
        middleware.responseHead(makeContext(), &head)
        #expect(head.headers["X-Price"] == "$5 {x} $")
    }

    @Test func emptyOptionsRunInNoPhase() throws {
        let middleware = try HeaderInjectionMiddleware(options: makeOptions([:]))
        #expect(middleware.phases.isEmpty)
    }

    @Test(arguments: [
        (["response": ["set": ["X-Foo": "${host}"]]], "middleware[1].response.set.X-Foo", "${host}"),
        (["response": ["set": ["X-Foo": "a${request_id"]]], "middleware[1].response.set.X-Foo", "closing"),
        (["request": ["add": ["Bad Name": "v"]]], "middleware[1].request.add.Bad Name", "field name"),
        (["request": ["set": ["X-Foo": "a\r\nb"]]], "middleware[1].request.set.X-Foo", "CR, LF or NUL"),
        (["request": ["set": ["X-Foo": "a\u{0}b"]]], "middleware[1].request.set.X-Foo", "CR, LF or NUL"),
        (["request": ["set": ["X-Foo": ["a"]]]], "middleware[1].request.set.X-Foo", "must be a string"),
        (["request": ["add": ["X-Foo": [1]]]], "middleware[1].request.add.X-Foo", "array of strings"),
        (["request": ["remove": "Server"]], "middleware[1].request.remove", "array"),
        (["request": ["remove": ["ok", "(bad)"]]], "middleware[1].request.remove[1]", "field name"),
        (["request": ["replace": [:]]], "middleware[1].request.replace", "not a known option"),
        (["request": "X-Foo"], "middleware[1].request", "object"),
        (["response": ["set": ["Content-Length": "5"]]], "middleware[1].response.set.Content-Length", "gateway"),
        (["response": ["remove": ["Transfer-Encoding"]]], "middleware[1].response.remove[0]", "gateway"),
        (["headers": [:]], "middleware[1].headers", "not a known option"),
    ] as [([String: Any], String, String)])
    func configErrorsNameTheKey(options: [String: Any], key: String, problem: String) {
        let error = configurationError { _ = try HeaderInjectionMiddleware(options: makeOptions(options)) }
        #expect(error?.key == key)
        #expect(error?.message.contains(problem) == true)
    }
}
