// HTTP field lists for middleware: ordered, case-insensitive by name, duplicates kept.

/// An ordered list of HTTP fields. Lookups compare names case-insensitively (ASCII), and repeated names keep
/// their order, as RFC 9110 section 5.3 requires of an intermediary.
public struct HTTPHeaders: Sequence, Equatable, Sendable, ExpressibleByDictionaryLiteral {
    /// The fields in wire order, each as name and value without surrounding whitespace.
    public private(set) var fields: [(name: String, value: String)]

    public init() {
        fields = []
    }

    /// Creates an empty list with room for `capacity` fields, so building a head of known size allocates once.
    public init(reservingCapacity capacity: Int) {
        fields = []
        fields.reserveCapacity(capacity)
    }

    public init(_ fields: [(String, String)]) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// The number of fields, counting repeated names separately.
    public var count: Int { fields.count }

    /// The first value stored under `name`, or nil.
    public subscript(name: String) -> String? {
        for field in fields where Self.namesEqual(field.name, name) {
            return field.value
        }
        return nil
    }

    /// Every value stored under `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { Self.namesEqual($0.name, name) }.map(\.value)
    }

    /// Every value stored under `name`, split at commas into list members with whitespace trimmed (RFC 9110
    /// section 5.6.1). Empty members are dropped.
    public func listValues(_ name: String) -> [Substring] {
        var members: [Substring] = []
        for value in values(name) {
            for member in value.split(separator: ",") {
                let trimmed = member.trimmingASCIIWhitespace()
                if !trimmed.isEmpty {
                    members.append(trimmed)
                }
            }
        }
        return members
    }

    public func contains(_ name: String) -> Bool {
        fields.contains { Self.namesEqual($0.name, name) }
    }

    /// Appends a field, keeping fields already stored under the same name.
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    /// Replaces every field named `name` with one field, placed where the first one was or at the end.
    public mutating func set(_ name: String, _ value: String) {
        if let index = fields.firstIndex(where: { Self.namesEqual($0.name, name) }) {
            fields[index].value = value
            var next = index + 1
            while next < fields.count {
                if Self.namesEqual(fields[next].name, name) {
                    fields.remove(at: next)
                } else {
                    next += 1
                }
            }
        } else {
            fields.append((name: name, value: value))
        }
    }

    /// Removes every field named `name`.
    public mutating func remove(_ name: String) {
        fields.removeAll { Self.namesEqual($0.name, name) }
    }

    /// Removes the fields for which `predicate` returns true.
    public mutating func removeAll(where predicate: (_ name: String, _ value: String) -> Bool) {
        fields.removeAll { predicate($0.name, $0.value) }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    /// Compares two field names ASCII case-insensitively without allocating.
    @inlinable
    public static func namesEqual(_ lhs: String, _ rhs: String) -> Bool {
        // Native strings store their UTF-8 length, so most unequal names differ before any byte is read.
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        var lhs = lhs
        var rhs = rhs
        return lhs.withUTF8 { left in
            rhs.withUTF8 { right in
                guard left.count == right.count else { return false }
                for index in 0..<left.count where left[index] != right[index] {
                    let lower = left[index] | 0x20
                    guard lower >= 0x61, lower <= 0x7A, lower == right[index] | 0x20 else { return false }
                }
                return true
            }
        }
    }
}

extension Substring {
    /// The substring without leading and trailing spaces and tabs.
    public func trimmingASCIIWhitespace() -> Substring {
        var start = startIndex
        var end = endIndex
        while start < end, self[start] == " " || self[start] == "\t" {
            start = index(after: start)
        }
        while end > start, self[index(before: end)] == " " || self[index(before: end)] == "\t" {
            end = index(before: end)
        }
        return self[start..<end]
    }
}
