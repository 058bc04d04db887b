// Tests of the JSON5 syntax locator that adds a line and column to configuration syntax errors.

import Foundation
import Testing

@testable import SwitchyardGateway

@Suite struct JSONSyntaxLocatorTests {
    @Test(arguments: [
        #"{"listen": [{"address": "127.0.0.1:8443"}]}"#,
        "{\n  // a comment\n  listen: [ { address: '127.0.0.1:1', }, ],\n  /* block */ workers: 2,\n}",
        #"{"a": -1.5e3, "b": +0x1F, "c": .5, "d": Infinity, "e": -Infinity, "f": NaN, "g": null, "h": [true, false]}"#,
        #"{"escaped": "a \" quote and \\ backslash"}"#,
    ])
    func acceptsValidJSON5(text: String) {
        #expect(JSONSyntaxLocator.firstProblem(in: Array(text.utf8)) == nil)
    }

    @Test(arguments: [
        ("{\n  \"a\": 1\n  \"b\": 2\n}", 3, 3, "expected ',' or '}'"),
        ("{\"a\": [1, 2 3]}", 1, 13, "expected ',' or ']'"),
        ("{\"a\" 1}", 1, 6, "expected ':'"),
        ("{\"a\": \"open\n}", 1, 12, "not closed before the end of the line"),
        ("{\"a\": tru}", 1, 7, "unexpected text"),
        ("{\"a\": 1", 1, 8, "a '}' is missing"),
        ("{} extra", 1, 4, "unexpected text after the end"),
        ("{/* open", 1, 2, "comment is not closed"),
        ("{1: 2}", 1, 2, "expected a key"),
    ])
    func reportsFirstProblem(text: String, line: Int, column: Int, message: String) throws {
        let problem = try #require(JSONSyntaxLocator.firstProblem(in: Array(text.utf8)))
        #expect(problem.line == line)
        #expect(problem.column == column)
        #expect(problem.message.contains(message), "\(problem.message)")
    }

    @Test func deepNestingIsBounded() throws {
        let text = String(repeating: "[", count: 10_000)
        let problem = try #require(JSONSyntaxLocator.firstProblem(in: Array(text.utf8)))
        #expect(problem.message.contains("nested more than"))
    }

    @Test func configurationErrorNamesLineAndColumn() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("json-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("switchyard.json").path
        try "{\n  \"listen\": []\n  \"kv\": {}\n}\n".write(toFile: path, atomically: true, encoding: .utf8)

        #expect(throws: (any Error).self) { try ConfigurationLoader.load(path: path) }
        do {
            _ = try ConfigurationLoader.load(path: path)
        } catch {
            #expect("\(error)".contains("line 3, column 3"), "\(error)")
        }
    }
}
