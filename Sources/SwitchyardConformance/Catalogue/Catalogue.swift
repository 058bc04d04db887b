// The full case table, in report order, and the shorthands the catalogue files share.

enum Catalogue {
    static var all: [ConformanceCase] {
        Framing.cases + Fields.cases + HopByHop.cases + ForwardingFields.cases + Targets.cases + Paths.cases
            + Methods.cases + Interim.cases + OriginBehaviour.cases + Connections.cases + Compression.cases
            + Product.cases + TLSCases.cases
    }

    /// A GET of `path` under the prefix with Host and the `extra` field lines (each ending in CRLF).
    static func get(_ path: String = "/", _ extra: String = "") -> String {
        "GET {P}\(path) HTTP/1.1\r\nHost: {H}\r\n\(extra)\r\n"
    }

    /// A request of `method` with `extra` field lines and a body sent as is.
    static func request(_ method: String, _ path: String = "/", extra: String = "", body: String = "") -> String {
        "\(method) {P}\(path) HTTP/1.1\r\nHost: {H}\r\n\(extra)\r\n\(body)"
    }

    /// 400 and close, with nothing forwarded: what RFC 9112 requires for unreadable framing.
    static let rejected = Expect(status: .exactly(400), connection: .closed, origin: .untouched)

    /// 400 and close for an error found inside a streamed body: the origin may have seen the head and part of the
    /// body, but never a complete request.
    static let rejectedBody = Expect(status: .exactly(400), connection: .closed, checks: [Checks.noCompleteRequest])

    /// Forwarded once, answered 200, and the connection stays usable.
    static let forwarded = Expect(status: .exactly(200), connection: .kept, origin: .reached(1))

    static func forwarded(_ checks: Check...) -> Expect {
        Expect(status: .exactly(200), connection: .kept, origin: .reached(1), checks: checks)
    }

    static func rejected(_ checks: Check...) -> Expect {
        Expect(status: .exactly(400), connection: .closed, origin: .untouched, checks: checks)
    }

    /// Either rejected with 400 and nothing forwarded, or forwarded with `condition` holding at the origin: for
    /// rules that let a recipient choose between rejecting and repairing.
    static func rejectedOr(_ condition: Check) -> Expect {
        let check = Check(text: "either 400 with nothing forwarded, or forwarded with: \(condition.text)") { observation in
            if observation.status == 400 {
                return observation.origin.isEmpty ? nil : "answered 400 but the origin received the request"
            }
            if observation.origin.isEmpty {
                return "neither rejected with 400 nor forwarded (status \(observation.status.map(String.init) ?? "none"))"
            }
            return condition.failure(observation)
        }
        return Expect(status: .any, checks: [check])
    }
}
