// Finds where JSON5 text first breaks the grammar, so configuration errors can name a line and column.

/// A syntax checker for the JSON5 subset that Foundation's reader accepts in configuration files: comments,
/// trailing commas, unquoted keys, single-quoted strings and JSON5 numbers. It builds no values; it runs only
/// after Foundation rejected a file, because Foundation's reader reports no position.
struct JSONSyntaxLocator {
    /// The first problem: a 1-based line and column and what was expected there.
    struct Problem: Equatable, CustomStringConvertible {
        let line: Int
        let column: Int
        let message: String

        var description: String { "line \(line), column \(column): \(message)" }
    }

    private let bytes: [UInt8]
    private var index = 0
    /// Nesting depth, bounded so that hostile input cannot exhaust the stack.
    private var depth = 0
    private static let maxDepth = 512

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Returns the first syntax problem in `bytes`, or nil when the grammar accepts them.
    static func firstProblem(in bytes: [UInt8]) -> Problem? {
        var locator = JSONSyntaxLocator(bytes)
        return locator.check()
    }

    private mutating func check() -> Problem? {
        if let problem = skipSpace() { return problem }
        if let problem = value() { return problem }
        if let problem = skipSpace() { return problem }
        return index < bytes.count ? problem("unexpected text after the end of the top-level value") : nil
    }

    // MARK: Values

    private mutating func value() -> Problem? {
        guard index < bytes.count else { return problem("the file ends where a value was expected") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return container(close: UInt8(ascii: "}"), isObject: true)
        case UInt8(ascii: "["): return container(close: UInt8(ascii: "]"), isObject: false)
        case UInt8(ascii: "\""), UInt8(ascii: "'"): return string()
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        case UInt8(ascii: "N"): return literal("NaN")
        case UInt8(ascii: "I"): return literal("Infinity")
        default: return number()
        }
    }

    private mutating func container(close: UInt8, isObject: Bool) -> Problem? {
        depth += 1
        guard depth <= Self.maxDepth else { return problem("values are nested more than \(Self.maxDepth) deep") }
        index += 1
        while true {
            if let problem = skipSpace() { return problem }
            guard index < bytes.count else {
                return problem("the file ends inside \(isObject ? "an object" : "an array"); a '\(Character(UnicodeScalar(close)))' is missing")
            }
            if bytes[index] == close {
                index += 1
                depth -= 1
                return nil
            }
            if isObject, let problem = member() { return problem }
            if !isObject, let problem = value() { return problem }
            if let problem = skipSpace() { return problem }
            guard index < bytes.count else { continue }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] != close {
                let what = isObject ? "an object member" : "an array element"
                return problem("expected ',' or '\(Character(UnicodeScalar(close)))' after \(what); is a comma missing?")
            }
        }
    }

    private mutating func member() -> Problem? {
        let byte = bytes[index]
        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
            if let problem = string() { return problem }
        } else if Self.isIdentifierStart(byte) {
            while index < bytes.count, Self.isIdentifierPart(bytes[index]) { index += 1 }
        } else {
            return problem("expected a key: a quoted string or a name such as listen")
        }
        if let problem = skipSpace() { return problem }
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
            return problem("expected ':' after the key")
        }
        index += 1
        if let problem = skipSpace() { return problem }
        return value()
    }

    private mutating func string() -> Problem? {
        let quote = bytes[index]
        index += 1
        while index < bytes.count {
            switch bytes[index] {
            case quote:
                index += 1
                return nil
            case UInt8(ascii: "\\"):
                index += 2
            case 0x0A, 0x0D:
                return problem("a string is not closed before the end of the line")
            default:
                index += 1
            }
        }
        return problem("the file ends inside a string")
    }

    private mutating func literal(_ word: StaticString) -> Problem? {
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard index + expected.count <= bytes.count, bytes[index..<index + expected.count].elementsEqual(expected) else {
            return problem("unexpected text; expected a value such as a string, number, object, true, false or null")
        }
        index += expected.count
        return nil
    }

    private mutating func number() -> Problem? {
        let start = index
        if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "I") { return literal("Infinity") }
        }
        let allowed: Set<UInt8> = Set("0123456789abcdefABCDEFxX.+-".utf8)
        var digits = 0
        while index < bytes.count, allowed.contains(bytes[index]) {
            if bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { digits += 1 }
            index += 1
        }
        guard digits > 0 else {
            index = start
            return problem("unexpected text; expected a value such as a string, number, object, true, false or null")
        }
        return nil
    }

    // MARK: Space and comments

    private mutating func skipSpace() -> Problem? {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D:
                index += 1
            case UInt8(ascii: "/") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "/"):
                while index < bytes.count, bytes[index] != 0x0A { index += 1 }
            case UInt8(ascii: "/") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "*"):
                let start = index
                index += 2
                while index + 1 < bytes.count, !(bytes[index] == UInt8(ascii: "*") && bytes[index + 1] == UInt8(ascii: "/")) {
                    index += 1
                }
                guard index + 1 < bytes.count else {
                    index = start
                    return problem("a /* comment is not closed")
                }
                index += 2
            default:
                return nil
            }
        }
        return nil
    }

    // MARK: Helpers

    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "$")
    }

    private static func isIdentifierPart(_ byte: UInt8) -> Bool {
        isIdentifierStart(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    /// The problem at the current position, with its line and column counted in bytes.
    private func problem(_ message: String) -> Problem {
        let end = min(index, bytes.count)
        var line = 1
        var lineStart = 0
        for position in 0..<end where bytes[position] == 0x0A {
            line += 1
            lineStart = position + 1
        }
        return Problem(line: line, column: end - lineStart + 1, message: message)
    }
}
