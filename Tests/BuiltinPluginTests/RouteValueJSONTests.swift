// Tests of the routing value JSON reader: escapes, skipped fields and syntax errors.

import Foundation
import Testing

@testable import SwitchyardBuiltins

@Suite("routing value JSON")
struct RouteValueJSONTests {
    private func parse(_ text: String) throws -> RouteValueJSON.Fields {
        try RouteValueJSON.parse(Array(text.utf8))
    }

    @Test func readsKnownFields() throws {
        let fields = try parse(#" { "origin" : "http://a" , "redirect":"follow","verifyTLS":false,"caFile":"/ca" } "#)
        #expect(fields == RouteValueJSON.Fields(origin: "http://a", redirect: "follow", verifyTLS: false, caFile: "/ca"))
    }

    @Test func decodesEscapes() throws {
        let fields = try parse(#"{"origin": "a\"b\\c\/d\n\u00e9\ud83d\ude00"}"#)
        #expect(fields.origin == "a\"b\\c/d\né😀")
    }

    @Test func skipsNestedUnknownFields() throws {
        let text = #"{"x": {"a": [1, -2.5e+3, true, false, null, {"b": "\u0041"}], "c": {}}, "y": [], "origin": "o"}"#
        #expect(try parse(text).origin == "o")
    }

    @Test func lastRepeatedFieldWins() throws {
        #expect(try parse(#"{"origin": "a", "origin": "b"}"#).origin == "b")
    }

    @Test func nullMeansAbsent() throws {
        let fields = try parse(#"{"origin": null, "verifyTLS": null}"#)
        #expect(fields.origin == nil)
        #expect(fields.verifyTLS == nil)
    }

    @Test(arguments: [
        "", "{", "{}x", #"{"origin": "a",}"#, #"{"origin" "a"}"#, #"{"x": 01}"#, #"{"x": 1.}"#, #"{"x": tru}"#,
        #"{"x": "\q"}"#, #"{"x": "\ud800"}"#, #"{"x": "\u12"}"#, "{\"x\": \"a\u{1}b\"}", #"{"x": [1 2]}"#,
        #"{'origin': 'a'}"#, String(repeating: "[", count: 100),
        "{\"x\": " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}",
    ])
    func rejectsInvalidJSON(text: String) {
        #expect(throws: RouteValueError.self) { try parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: RouteValueError.self) { try RouteValueJSON.parse(Array(#"{"origin": ""#.utf8) + [0xFF, 0x22, 0x7D]) }
    }

    @Test func matchesJSONSerializationOnStrings() throws {
        let samples = ["plain", "tab\there", "quote\"", "slash/", "emoji 🛒", "nul\u{0}", "bell\u{7}"]
        for sample in samples {
            let data = try JSONSerialization.data(withJSONObject: ["origin": sample])
            #expect(try RouteValueJSON.parse(Array(data)).origin == sample)
        }
    }
}
