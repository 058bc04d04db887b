// Lenient HTTP/1.1 message reading for both ends of the suite: heads, fixed-length, chunked and close-delimited bodies.

import Foundation

/// A parsed start line and field section, kept as received.
struct MessageHead: Sendable {
    var startLine: String
    var fields: [(name: String, value: String)]
    /// The head's bytes exactly as received, final empty line included.
    var raw: [UInt8]

    /// All values of the fields called `name`, compared without case.
    func values(_ name: String) -> [String] {
        fields.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    func first(_ name: String) -> String? {
        values(name).first
    }

    func has(_ name: String) -> Bool {
        !values(name).isEmpty
    }

    /// Whether a comma-separated field lists `token`, compared without case.
    func lists(_ name: String, _ token: String) -> Bool {
        values(name).flatMap { $0.split(separator: ",") }
            .contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == token.lowercased() }
    }
}

/// Why reading a message stopped early.
enum StreamEnd: Error, Equatable {
    case closed(clean: Bool)
    case reset
    case timedOut
    case failed(String)
    case malformed(String)
}

/// Buffers bytes from a connection and cuts HTTP messages out of them.
final class MessageStream {
    private(set) var buffer: [UInt8] = []
    /// Every byte ever received, for reports.
    private(set) var received: [UInt8] = []
    private let source: (Deadline) -> ReadResult
    private let maximumHead: Int

    init(maximumHead: Int = 256 * 1024, source: @escaping (Deadline) -> ReadResult) {
        self.maximumHead = maximumHead
        self.source = source
    }

    /// Reads more bytes into the buffer or throws why none came.
    func fill(deadline: Deadline) throws {
        switch source(deadline) {
        case .data(let bytes):
            buffer.append(contentsOf: bytes)
            received.append(contentsOf: bytes)
        case .closed(let clean): throw StreamEnd.closed(clean: clean)
        case .reset: throw StreamEnd.reset
        case .timedOut: throw StreamEnd.timedOut
        case .failed(let reason): throw StreamEnd.failed(reason)
        }
    }

    /// Removes and returns the first `count` buffered bytes.
    func take(_ count: Int) -> [UInt8] {
        let taken = Array(buffer.prefix(count))
        buffer.removeFirst(min(count, buffer.count))
        return taken
    }

    /// Reads a head that ends with an empty line (CRLF CRLF, or LF LF from a sloppy peer).
    func readHead(deadline: Deadline) throws -> MessageHead {
        while true {
            if let end = Self.headEnd(buffer) {
                let raw = take(end)
                return try Self.parseHead(raw)
            }
            if buffer.count > maximumHead {
                throw StreamEnd.malformed("head larger than \(maximumHead) bytes")
            }
            try fill(deadline: deadline)
        }
    }

    func readExactly(_ count: Int, deadline: Deadline) throws -> [UInt8] {
        while buffer.count < count {
            try fill(deadline: deadline)
        }
        return take(count)
    }

    /// Reads a chunked body; returns the decoded data and the raw bytes including the last chunk and trailers.
    func readChunked(deadline: Deadline) throws -> (data: [UInt8], raw: [UInt8], trailers: [(String, String)]) {
        var data: [UInt8] = []
        var raw: [UInt8] = []
        while true {
            let line = try readLine(deadline: deadline)
            raw += line
            let text = String(decoding: line.filter { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
            let sizeText = text.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else {
                throw StreamEnd.malformed("invalid chunk size line \"\(text)\"")
            }
            if size == 0 {
                return (data, raw, try readTrailers(deadline: deadline, raw: &raw))
            }
            let chunk = try readExactly(size, deadline: deadline)
            data += chunk
            raw += chunk
            raw += try readLine(deadline: deadline)
        }
    }

    private func readTrailers(deadline: Deadline, raw: inout [UInt8]) throws -> [(String, String)] {
        var trailers: [(String, String)] = []
        while true {
            let line = try readLine(deadline: deadline)
            raw += line
            let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty {
                return trailers
            }
            if let colon = text.firstIndex(of: ":") {
                trailers.append((String(text[..<colon]), text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
        }
    }

    /// Reads through the next LF and returns the line with its ending.
    func readLine(deadline: Deadline) throws -> [UInt8] {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                return take(newline + 1)
            }
            if buffer.count > maximumHead {
                throw StreamEnd.malformed("line longer than \(maximumHead) bytes")
            }
            try fill(deadline: deadline)
        }
    }

    /// Reads until the peer closes; returns the bytes and whether the close was clean.
    func readUntilClose(deadline: Deadline, limit: Int = 16 * 1024 * 1024) throws -> [UInt8] {
        while true {
            do {
                try fill(deadline: deadline)
            } catch StreamEnd.closed {
                return take(buffer.count)
            }
            if buffer.count > limit {
                throw StreamEnd.malformed("close-delimited body larger than \(limit) bytes")
            }
        }
    }

    static func headEnd(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x0A {
                if index + 1 < bytes.count, bytes[index + 1] == 0x0A {
                    return index + 2
                }
                if index + 2 < bytes.count, bytes[index + 1] == 0x0D, bytes[index + 2] == 0x0A {
                    return index + 3
                }
            }
            index += 1
        }
        return nil
    }

    /// Splits a head into its start line and fields; continuation lines are joined to the previous field.
    static func parseHead(_ raw: [UInt8]) throws -> MessageHead {
        // Split on LF bytes: as Characters, CR LF is one grapheme and would not split on "\n".
        var lines = raw.split(separator: 0x0A, omittingEmptySubsequences: false).map { line -> String in
            let trimmed = line.last == 0x0D ? line.dropLast() : line
            return String(decoding: trimmed, as: UTF8.self)
        }
        while lines.last == "" {
            lines.removeLast()
        }
        guard let startLine = lines.first else {
            throw StreamEnd.malformed("empty head")
        }
        var fields: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            if let first = line.first, first == " " || first == "\t", !fields.isEmpty {
                fields[fields.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                fields.append((name: line, value: ""))
                continue
            }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
            fields.append((name: String(line[..<colon]), value: value))
        }
        return MessageHead(startLine: startLine, fields: fields, raw: raw)
    }
}
