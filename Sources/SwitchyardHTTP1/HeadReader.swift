// Incremental reader of a message head: start line, field lines and the empty line that ends them.

/// Bounds and error statuses for one kind of head.
struct HeadLimits {
    var maxStartLineBytes: Int
    /// Status thrown for an over-long start line: 414 for a request line.
    var startLineTooLongStatus: Int
    var maxFieldBytes: Int
    var maxFieldCount: Int
    /// Empty lines skipped before the start line (RFC 9112 section 2.2); one more is rejected.
    var maxLeadingEmptyLines: Int
}

/// Reads one head line by line, consuming only complete lines, so a head split across reads resumes where it
/// stopped without copying or rescanning.
struct HeadReader<Line: StartLine> {
    private let limits: HeadLimits
    private let isRequest: Bool
    /// The parsed start line, nil until it arrives. Kept apart from the loop's state, because switching over an
    /// enum that carried it copied and retained its Strings once per field line.
    private var startLine: Line?
    private var lineFinder = LineFinder()
    private var leadingEmptyLines = 0
    private var fieldBytes = 0
    private var fields: [HTTP1Field] = []
    private var facts: FramingFacts

    /// The parts of a complete head.
    struct Head {
        var startLine: Line
        var fields: [HTTP1Field]
        var facts: FramingFacts
    }

    init(limits: HeadLimits, isRequest: Bool) {
        self.limits = limits
        self.isRequest = isRequest
        self.facts = FramingFacts(isRequest: isRequest)
    }

    /// Whether any byte of a head other than leading empty lines has been seen.
    var hasStarted: Bool {
        startLine != nil || lineFinder.scanned > 0
    }

    /// Consumes complete lines of `input`; returns the head once its empty line arrives, else nil.
    mutating func read(_ input: UnsafeRawBufferPointer) throws(HTTP1ParseError) -> (consumed: Int, head: Head?) {
        var position = 0
        while startLine == nil {
            guard let line = try nextStartLine(input, from: position) else {
                return (position, nil)
            }
            position = line.next
            if !line.content.isEmpty {
                startLine = try Line(parsing: input, line: line.content)
            }
        }
        while true {
            guard let line = try nextFieldLine(input, from: position) else {
                return (position, nil)
            }
            position = line.next
            if line.content.isEmpty {
                return (position, takeHead())
            }
            try appendField(input, line: line)
        }
    }

    private mutating func nextStartLine(
        _ input: UnsafeRawBufferPointer, from start: Int
    ) throws(HTTP1ParseError) -> LineFinder.Line? {
        let limit = limits.maxStartLineBytes
        let status = limits.startLineTooLongStatus
        let line = try lineFinder.next(
            in: input, from: start, maxLength: limit,
            tooLong: HTTP1ParseError(status: status, reason: "start line is longer than \(limit) bytes"))
        if let line, line.content.isEmpty {
            leadingEmptyLines += 1
            guard leadingEmptyLines <= limits.maxLeadingEmptyLines else {
                throw .badRequest("too many empty lines before the start line")
            }
        }
        return line
    }

    private mutating func nextFieldLine(
        _ input: UnsafeRawBufferPointer, from start: Int
    ) throws(HTTP1ParseError) -> LineFinder.Line? {
        let limit = limits.maxFieldBytes
        let line = try lineFinder.next(
            in: input, from: start, maxLength: limit - fieldBytes,
            tooLong: HTTP1ParseError(status: 431, reason: "header section is larger than \(limit) bytes"))
        if let line {
            fieldBytes += line.next - start
        }
        return line
    }

    private mutating func appendField(_ input: UnsafeRawBufferPointer, line: LineFinder.Line) throws(HTTP1ParseError) {
        guard fields.count < limits.maxFieldCount else {
            throw HTTP1ParseError(status: 431, reason: "more than \(limits.maxFieldCount) header fields")
        }
        let fieldLine = try FieldLine(parsing: input, line: line)
        try facts.record(fieldLine, in: input)
        if fields.isEmpty {
            // One allocation covers typical heads; growing from empty would reallocate four times.
            fields.reserveCapacity(16)
        }
        fields.append(try fieldLine.makeField(in: input))
    }

    /// Hands out the finished head and resets the reader for the next message.
    private mutating func takeHead() -> Head? {
        guard let startLine else {
            return nil  // Unreachable: field lines are read only after the start line.
        }
        let head = Head(startLine: startLine, fields: fields, facts: facts)
        self.startLine = nil
        leadingEmptyLines = 0
        fieldBytes = 0
        fields = []
        facts = FramingFacts(isRequest: isRequest)
        return head
    }
}
