// Field syntax: names, values, whitespace, NUL/CR/LF, obs-fold, obs-text, and size and count limits.

enum Fields {
    private typealias C = Catalogue

    static var cases: [ConformanceCase] {
        names + values + limits
    }

    private static var names: [ConformanceCase] {
        [
            .http("fields.space-before-colon", "Whitespace between a field name and the colon gets 400", "RFC 9112 §5.1",
                  send: C.get("/", "X-Test : value\r\n"), expect: C.rejected),
            .http("fields.tab-before-colon", "A tab between a field name and the colon gets 400", "RFC 9112 §5.1",
                  send: C.get("/", "X-Test\t: value\r\n"), expect: C.rejected),
            .http("fields.space-in-name", "A field name with a space is invalid: 400", "RFC 9110 §5.1, RFC 9112 §2.2",
                  send: C.get("/", "X Test: value\r\n"), expect: C.rejected),
            .http("fields.separator-in-name", "A field name with a delimiter character is rejected or dropped",
                  "RFC 9110 §5.1, §5.6.2", send: C.get("/", "X(Test): value\r\n"), expect: C.rejectedOr(invalidNameDropped)),
            .http("fields.empty-name", "A field line that starts with a colon gets 400", "RFC 9110 §5.1, RFC 9112 §2.2",
                  send: C.get("/", ": value\r\n"), expect: C.rejected),
            .http("fields.no-colon", "A field line without a colon gets 400", "RFC 9112 §5, §2.2",
                  send: C.get("/", "X-Test value\r\n"), expect: C.rejected),
            .http("fields.nul-in-name", "A NUL in a field name gets 400", "RFC 9110 §5.1",
                  send: C.get("/", "X-Te{x00}st: value\r\n"), expect: C.rejected),
            .http("fields.non-ascii-name", "A field name with a non-ASCII byte is rejected or dropped", "RFC 9110 §5.1",
                  send: C.get("/", "X-T{xe9}st: value\r\n"), expect: C.rejectedOr(invalidNameDropped)),
            .http("fields.name-case-kept", "Field names are case-insensitive and reach the origin", "RFC 9110 §5.1",
                  send: C.get("/", "x-lower-CASE: v\r\n"), expect: C.forwarded(Checks.originField("X-Lower-Case", "v"))),
        ]
    }

    /// The origin head carries no field whose name is not a token: a proxy may drop such a field instead of
    /// rejecting the request.
    private static let invalidNameDropped = Checks.custom("no invalid field name reaches the origin") { observation in
        let names = observation.origin.first?.head?.fields.map(\.name) ?? []
        let invalid = names.first { name in
            name.isEmpty || name.utf8.contains { byte in
                byte <= 0x20 || byte >= 0x7F || "\"(),/:;<=>?@[\\]{}".utf8.contains(byte)
            }
        }
        return invalid.map { "origin received the field name \($0)" }
    }

    private static var values: [ConformanceCase] {
        [
            .http("fields.nul-in-value", "A NUL in a field value is rejected or replaced with SP", "RFC 9110 §5.5",
                  send: C.get("/", "X-Test: a{x00}b\r\n"), expect: C.rejectedOr(Checks.originHeadClean)),
            .http("fields.cr-in-value", "A CR inside a field value is rejected or replaced with SP", "RFC 9110 §5.5",
                  send: C.get("/", "X-Test: a\rX-Injected: 1\r\n"),
                  expect: C.rejectedOr(Checks.originLacks("x-injected"))),
            .http("fields.obs-fold", "obs-fold in a request is rejected or replaced with SP before forwarding",
                  "RFC 9112 §5.2", send: C.get("/", "X-Test: a\r\n b\r\n"),
                  expect: C.rejectedOr(Checks.custom("origin head has no folded line") { observation in
                      let raw = observation.origin.first?.head?.raw ?? []
                      let folded = zip(raw, raw.dropFirst()).contains { $0 == 0x0A && ($1 == 0x20 || $1 == 0x09) }
                      return folded ? "origin head contains a folded line" : nil
                  })),
            .http("fields.obs-text-value", "obs-text bytes in a value are forwarded unchanged", "RFC 9110 §5.5",
                  send: C.get("/", "X-Test: caf{xe9}\r\n"),
                  expect: C.forwarded(Checks.custom("origin sees the byte 0xE9 in X-Test") { observation in
                      let raw = observation.origin.first?.head?.raw ?? []
                      return raw.starts(with: []) && contains(raw, Array("X-Test: caf".utf8) + [0xE9]) ? nil
                          : "origin head lacks X-Test: caf\\xe9"
                  }),
                  exception: "Switchyard rejects field values that are not valid UTF-8 with 400, because its plugin API "
                      + "exposes values as Swift strings, which cannot hold such bytes unchanged; RFC 9110 §5.5 only "
                      + "says SHOULD for treating obs-text as opaque. fields.non-utf8-value-rejected checks this."),
            .http("fields.non-utf8-value-rejected", "A value that is not valid UTF-8 gets 400 and is never forwarded",
                  "Switchyard docs: README, What the gateway does with a request", profile: .switchyard,
                  send: C.get("/", "X-Test: caf{xe9}\r\n"), expect: C.rejected, needs: [.switchyard]),
            .http("fields.ows-trimmed", "Whitespace around a value is not part of it", "RFC 9110 §5.5",
                  send: C.get("/", "X-Test: \t value \t\r\n"), expect: C.forwarded(Checks.originField("x-test", "value"))),
            .http("fields.empty-value", "A field with an empty value is valid and forwarded", "RFC 9110 §5.5",
                  send: C.get("/", "X-Empty:\r\n"), expect: C.forwarded(Checks.originField("x-empty", ""))),
            .http("fields.repeated-field-order", "Repeated fields reach the origin in their order", "RFC 9110 §5.3",
                  send: C.get("/", "X-List: a\r\nX-List: b\r\n"),
                  expect: C.forwarded(Checks.originField("x-list", "in order a then b") { values in
                      values == ["a", "b"] || values == ["a, b"] || values == ["a,b"]
                  })),
            .http("fields.long-value", "A 4 KiB field value is forwarded intact", "RFC 9110 §5.4",
                  send: C.get("/", "X-Long: " + String(repeating: "v", count: 4096) + "\r\n"),
                  expect: C.forwarded(Checks.originField("x-long", String(repeating: "v", count: 4096)))),
        ]
    }

    private static var limits: [ConformanceCase] {
        let manyFields = (0..<150).map { "X-F\($0): v\r\n" }.joined()
        let bigHead = (0..<40).map { "X-Big\($0): " + String(repeating: "b", count: 1000) + "\r\n" }.joined()
        return [
            .http("fields.request-line-too-long", "A request-target longer than the server parses gets 414",
                  "RFC 9112 §3", send: C.get("/" + String(repeating: "a", count: 70_000)),
                  expect: Expect(status: .oneOf([414, 400]), origin: .untouched)),
            .http("fields.head-too-large", "A request head beyond the server's limit is rejected, not forwarded",
                  "RFC 9110 §15.5 (RFC 6585 §5 defines 431)", send: C.get("/", bigHead + bigHead),
                  expect: Expect(status: .oneOf([431, 400]), origin: .untouched)),
            .http("fields.count-limit", "More than 100 fields get 431", "Switchyard docs: README \"Configuration reference\" (maxHeaderCount)",
                  profile: .switchyard, send: C.get("/", manyFields),
                  expect: Expect(status: .exactly(431), connection: .closed, origin: .untouched), needs: [.switchyard]),
            .http("fields.size-limit", "A head over 32 KiB gets 431", "Switchyard docs: README \"Configuration reference\" (maxHeaderBytes)",
                  profile: .switchyard, send: C.get("/", bigHead),
                  expect: Expect(status: .exactly(431), connection: .closed, origin: .untouched), needs: [.switchyard]),
            .http("fields.line-limit", "A request line over 8 KiB gets 414", "Switchyard docs: README \"Configuration reference\" (maxRequestLineBytes)",
                  profile: .switchyard, send: C.get("/" + String(repeating: "a", count: 9000)),
                  expect: Expect(status: .exactly(414), connection: .closed, origin: .untouched), needs: [.switchyard]),
            .http("fields.within-limits", "99 fields within the limits are forwarded", "RFC 9110 §5",
                  send: C.get("/", (0..<90).map { "X-F\($0): v\r\n" }.joined()),
                  expect: C.forwarded(Checks.originField("x-f89", "v"))),
        ]
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else {
            return needle.isEmpty
        }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle {
                return true
            }
        }
        return false
    }
}
