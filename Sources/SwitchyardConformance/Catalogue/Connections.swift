// Connection management: pipelining order, draining or closing after a local response, and client timeouts.

import Foundation

enum Connections {
    private typealias C = Catalogue

    /// Replies with the request-target as the body, so responses can be matched to requests.
    private static let echoTarget = OriginScript(reply: { request in
        .bytes(Template.bytes("HTTP/1.1 200 OK\r\nContent-Length: \(request.target.utf8.count)\r\n\r\n\(request.target)"), close: false)
    })

    /// Delays the reply to /slow, so a proxy using several origin connections could respond out of order.
    private static let slowFirst = OriginScript(reply: { request in
        let body = request.target
        let bytes = Template.bytes("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        guard body == "/slow" else {
            return .bytes(bytes, close: false)
        }
        return .delayed(0.4, bytes)
    })

    static var cases: [ConformanceCase] {
        pipelining + localAnswers + timeouts
    }

    private static var pipelining: [ConformanceCase] {
        [
            .http("pipeline.order", "Pipelined requests get their responses in request order", "RFC 9112 §9.3.2",
                  send: C.get("/one") + C.get("/two") + C.get("/three"), origin: echoTarget,
                  expect: Expect(status: .exactly(200), connection: .kept, responses: 3,
                                 checks: [Checks.bodies(["/one", "/two", "/three"])])),
            .http("pipeline.slow-first", "A slow first response still comes first", "RFC 9112 §9.3.2",
                  send: C.get("/slow") + C.get("/fast"), origin: slowFirst,
                  expect: Expect(status: .exactly(200), responses: 2, checks: [Checks.bodies(["/slow", "/fast"])])),
            .http("pipeline.head-between", "A HEAD between GETs keeps the responses aligned", "RFC 9112 §9.3.2, §6.3",
                  send: C.get("/a") + C.request("HEAD", "/b") + C.get("/c"), origin: echoTarget,
                  expect: Expect(status: .exactly(200), responses: 3, checks: [Checks.bodies(["/a", "", "/c"])]),
                  methods: ["GET", "HEAD", "GET"]),
            .http("pipeline.post-then-get", "A POST body followed by a pipelined GET is split correctly", "RFC 9112 §9.3.2",
                  send: C.request("POST", "/p", extra: "Content-Length: 5\r\n", body: "hello") + C.get("/g"), origin: echoTarget,
                  expect: Expect(status: .exactly(200), responses: 2, checks: [Checks.bodies(["/p", "/g"])])),
            .http("pipeline.error-stops", "After a 400 in a pipeline, later requests are not processed", "RFC 9112 §9.3.2, §2.2",
                  send: "GET {P}/ok HTTP/1.1\r\nHost: {H}\r\n\r\nGET {P}/bad HTTP/1.1\r\nHost : {H}\r\n\r\n" + C.get("/never"),
                  origin: echoTarget,
                  expect: Expect(status: .exactly(200), responses: 2, checks: [
                      Checks.statuses([200, 400]),
                      Checks.custom("origin never sees /never") { observation in
                          observation.origin.contains { $0.target == "/never" } ? "origin received /never" : nil
                      },
                  ])),
        ]
    }

    private static var localAnswers: [ConformanceCase] {
        let smuggled = "GET {P}/smuggled HTTP/1.1\r\nHost: {H}\r\n\r\n"
        let smuggledLength = Template.bytes(smuggled, prefix: "/conf", host: "127.0.0.1:65535").count
        let neverSmuggled = Checks.custom("origin never sees /smuggled") { observation in
            observation.origin.contains { $0.target.contains("smuggled") } ? "origin received /smuggled from a body" : nil
        }
        return [
            .http("local.unrouted-body-drained", "A body after a local 404 is drained or the connection closed, never parsed",
                  "RFC 9112 §6.3, §11.2",
                  send: "POST /zz-unrouted/x HTTP/1.1\r\nHost: {H}\r\nContent-Length: \(smuggledLength)\r\n\r\n" + smuggled,
                  expect: Expect(status: .range(400...499), checks: [neverSmuggled]), needs: [.selfConfigured]),
            .http("local.unrouted-chunked-drained", "A chunked body after a local answer is drained or the connection closed",
                  "RFC 9112 §6.3, §11.2",
                  send: "POST /zz-unrouted/x HTTP/1.1\r\nHost: {H}\r\nTransfer-Encoding: chunked\r\n\r\n"
                      + String(smuggledLength, radix: 16) + "\r\n" + smuggled + "\r\n0\r\n\r\n",
                  expect: Expect(status: .range(400...499), checks: [neverSmuggled]), needs: [.selfConfigured]),
            .http("local.no-storefront-body", "A body after the 400 welcome page is drained or the connection closed",
                  "RFC 9112 §6.3, §11.2; Switchyard docs: README \"What the gateway does with a request\"", profile: .switchyard,
                  send: "POST / HTTP/1.1\r\nHost: {H}\r\nContent-Length: \(smuggledLength)\r\n\r\n" + smuggled,
                  expect: Expect(status: .exactly(400), checks: [neverSmuggled]), needs: [.switchyard]),
            .http("local.unrouted-then-next", "After a drained local answer the next request is served", "RFC 9112 §9.3",
                  send: "POST /zz-unrouted/x HTTP/1.1\r\nHost: {H}\r\nContent-Length: 5\r\n\r\nhello" + C.get("/next"),
                  origin: echoTarget,
                  expect: Expect(status: .exactly(404), responses: 2, checks: [Checks.custom("404, then 200 for /next or a close") { observation in
                      if observation.responses.count == 2 {
                          return observation.responses[1].bodyText == "/next" ? nil : "second response was \(observation.responses[1].bodyText)"
                      }
                      return observation.end == nil ? "no second response and no close" : nil
                  }]), needs: [.selfConfigured]),
        ]
    }

    private static var timeouts: [ConformanceCase] {
        [
            slowClient("timeout.slow-header", "A request head that never completes gets 408 or a close",
                       "RFC 9110 §15.5.9", steps: [.send("GET {P}/ HTTP/1.1\r\nHost: {H}\r\nX-Slow: ")]),
            slowClient("timeout.slow-body", "A body that stops arriving gets 408 or a close, and no complete request",
                       "RFC 9110 §15.5.9, RFC 9112 §8",
                       steps: [.send(C.request("POST", extra: "Content-Length: 10\r\n", body: "hello"))]),
            .http("timeout.idle-keep-alive", "An idle keep-alive connection is closed after the proxy's idle timeout",
                  "RFC 9112 §9.5", send: C.get(),
                  expect: Expect(status: .exactly(200), connection: .closed, origin: .reached(1)), timeout: 6, needs: [.selfConfigured]),
        ]
    }

    private static func slowClient(_ id: String, _ title: String, _ clause: String, steps: [Step]) -> ConformanceCase {
        .http(id, title, clause, steps: steps,
              expect: Expect(status: .any, connection: .closed, checks: [
                  Checks.noCompleteRequest,
                  Checks.custom("408 or no response") { observation in
                      observation.status == nil || observation.status == 408 ? nil : "got \(observation.status ?? 0)"
                  },
              ]))
    }
}
