// Tests of header-injection `set` on fields that are absent, present, repeated or named in another case.

import SwitchyardPlugin
import Testing

@testable import SwitchyardBuiltins

/// Applies `set` rules to a response with `fields` and returns the fields afterwards.
private func applySet(_ set: [String: String], to fields: [(String, String)]) throws -> [(String, String)] {
    let middleware = try HeaderInjectionMiddleware(options: makeOptions(["response": ["set": set]]))
    let context = makeContext()
    context.storefrontID = "storeA"
    var head = ResponseHead(status: 200, headers: HTTPHeaders(fields))

    middleware.responseHead(context, &head)

    return head.headers.fields.map { ($0.name, $0.value) }
}

@Suite("header-injection set")
struct HeaderSetTests {
    @Test func absentFieldIsAppended() throws {
        let fields = try applySet(["X-Storefront-ID": "${storefront_id}"], to: [("A", "1"), ("B", "2")])

        #expect(fields.map(\.0) == ["A", "B", "X-Storefront-ID"])
        #expect(fields.map(\.1) == ["1", "2", "storeA"])
    }

    @Test func presentFieldIsReplacedInPlace() throws {
        let fields = try applySet(
            ["X-Served-By": "switchyard"], to: [("x-served-by", "old"), ("B", "2"), ("X-SERVED-BY", "older")])

        #expect(fields.map(\.0) == ["x-served-by", "B"])
        #expect(fields.map(\.1) == ["switchyard", "2"])
    }

    @Test func namesInOtherCaseLeaveOneField() throws {
        // Keys apply in sorted order, so "x-a" (lowercase sorts last) replaces the field that "X-A" set.
        let fields = try applySet(["X-A": "upper", "x-a": "lower"], to: [("B", "2")])

        #expect(fields.map(\.0) == ["B", "X-A"])
        #expect(fields.map(\.1) == ["2", "lower"])
    }

    @Test func sameLengthOtherNameIsNotAMatch() throws {
        let fields = try applySet(["X-A": "new"], to: [("X-B", "1"), ("XA-", "2")])

        #expect(fields.map(\.0) == ["X-B", "XA-", "X-A"])
    }

    @Test func moreThanSixtyFourEntries() throws {
        var set: [String: String] = [:]
        for index in 0..<70 {
            set[String(format: "X-%03d", index)] = "v\(index)"
        }
        let existing = [("x-002", "old"), ("X-068", "old"), ("Other", "1")]

        let fields = try applySet(set, to: existing)

        #expect(fields.count == 71)
        #expect(fields[0] == ("x-002", "v2"))
        #expect(fields[1] == ("X-068", "v68"))
        #expect(fields[2] == ("Other", "1"))
        #expect(fields.filter { $0.0.lowercased() == "x-068" }.count == 1)
        #expect(fields.last.map { $0.0 } == "X-069")
    }

    @Test func emptyExpansionLeavesExistingField() throws {
        let middleware = try HeaderInjectionMiddleware(
            options: makeOptions(["response": ["set": ["X-Storefront-ID": "${storefront_id}"]]]))
        var head = ResponseHead(status: 400, headers: HTTPHeaders([("X-Storefront-ID", "origin")]))

        middleware.responseHead(makeContext(), &head)

        #expect(head.headers.values("X-Storefront-ID") == ["origin"])
    }
}
