// The header-injection middleware: sets, adds and removes request and response fields.

import SwitchyardPlugin

/// Field edits for one direction, applied in the order remove, set, add.
struct HeaderRules {
    struct Entry {
        var name: String
        var value: HeaderTemplate
    }

    var remove: [String] = []
    var set: [Entry] = [] {
        didSet { setNamesRepeat = Self.hasRepeatedName(set) }
    }
    var add: [Entry] = []
    /// Whether two `set` entries name the same field in different case, so that a later one must replace an
    /// earlier one's field.
    private var setNamesRepeat = false

    var isEmpty: Bool { remove.isEmpty && set.isEmpty && add.isEmpty }

    /// Applies the edits. A value that expands to empty text, or to text with CR, LF or NUL, skips its field.
    func apply(to headers: inout HTTPHeaders, _ context: RequestContext) {
        for name in remove {
            headers.remove(name)
        }
        applySet(to: &headers, context)
        for entry in add {
            if let value = expand(entry, context) {
                headers.add(entry.name, value)
            }
        }
    }

    /// Sets the `set` fields. `HTTPHeaders.set` scans every field for its name, so one pass first finds which names
    /// are present, and an absent field is appended with `add`, which is what `set` does when the name is absent.
    private func applySet(to headers: inout HTTPHeaders, _ context: RequestContext) {
        guard !set.isEmpty else { return }
        let present = setNamesPresent(in: headers)
        for (index, entry) in set.enumerated() {
            guard let value = expand(entry, context) else { continue }
            // Entries past the mask's 64 bits always take the scanning path.
            let isAbsent = index < UInt64.bitWidth && present & (1 << UInt64(index)) == 0
            if isAbsent && !setNamesRepeat {
                headers.add(entry.name, value)
            } else {
                headers.set(entry.name, value)
            }
        }
    }

    /// Returns a bit mask with bit `i` set when `headers` has a field named like `set[i]`, for the first 64 entries.
    private func setNamesPresent(in headers: HTTPHeaders) -> UInt64 {
        var present: UInt64 = 0
        for field in headers.fields {
            let length = field.name.utf8.count
            for (index, entry) in set.prefix(UInt64.bitWidth).enumerated()
            where entry.name.utf8.count == length && HTTPHeaders.namesEqual(field.name, entry.name) {
                present |= 1 << UInt64(index)
            }
        }
        return present
    }

    private static func hasRepeatedName(_ entries: [Entry]) -> Bool {
        let lowercased = entries.map { $0.name.lowercased() }
        return Set(lowercased).count != lowercased.count
    }

    private func expand(_ entry: Entry, _ context: RequestContext) -> String? {
        let value = entry.value.expand(context)
        guard !value.isEmpty else { return nil }
        // Literal text was checked at configuration time; only a variable can bring in a line break.
        guard !entry.value.hasVariables || HTTPSyntax.isSafeFieldValue(value) else { return nil }
        return value
    }
}

/// Sets, adds and removes fields on the request sent to the origin (`request`) and on the response sent to the
/// client (`response`). Each direction takes `remove` (an array of names), `set` (name to value, replacing
/// existing fields) and `add` (name to a value or an array of values, keeping existing fields), applied in that
/// order.
///
/// Values may contain `${storefront_id}`, `${request_id}` and `${client_ip}`. A value that expands to an empty
/// string skips its field: for example `X-Storefront-ID: ${storefront_id}` is not sent on a local 400 that has no
/// storefront.
///
/// Thread-safe: the rules are immutable after configuration.
public final class HeaderInjectionMiddleware: Middleware {
    let requestRules: HeaderRules
    let responseRules: HeaderRules

    public let phases: MiddlewarePhases

    /// Validates the options: field names must be tokens, values must not contain CR, LF or NUL, and variables
    /// must be known.
    public init(options: MiddlewareOptions) throws {
        try options.rejectUnknownKeys(["request", "response"])
        requestRules = try Self.parseRules(options.values["request"], key: "\(options.keyPath).request")
        responseRules = try Self.parseRules(options.values["response"], key: "\(options.keyPath).response")

        var phases: MiddlewarePhases = []
        if !requestRules.isEmpty {
            phases.insert(.upstreamRequest)
        }
        if !responseRules.isEmpty {
            phases.insert(.responseHead)
        }
        self.phases = phases
    }

    public func upstreamRequestHead(_ context: RequestContext, _ head: inout RequestHead) {
        requestRules.apply(to: &head.headers, context)
    }

    public func responseHead(_ context: RequestContext, _ head: inout ResponseHead) {
        responseRules.apply(to: &head.headers, context)
    }

    private static func parseRules(_ value: Any?, key: String) throws -> HeaderRules {
        guard let value else { return HeaderRules() }
        guard let object = value as? [String: Any] else {
            throw ConfigurationError(key: key, message: "must be an object with \"set\", \"add\" or \"remove\"")
        }
        for name in object.keys.sorted() where !["set", "add", "remove"].contains(name) {
            throw ConfigurationError(key: "\(key).\(name)", message: "is not a known option; known: add, remove, set")
        }

        var rules = HeaderRules()
        rules.remove = try parseRemove(object["remove"], key: "\(key).remove")
        rules.set = try parseEntries(object["set"], key: "\(key).set", allowsArrays: false)
        rules.add = try parseEntries(object["add"], key: "\(key).add", allowsArrays: true)
        return rules
    }

    private static func parseRemove(_ value: Any?, key: String) throws -> [String] {
        guard let value else { return [] }
        guard let array = value as? [Any] else {
            throw ConfigurationError(key: key, message: "must be an array of field names, for example [\"Server\"]")
        }
        return try array.enumerated().map { index, element in
            let elementKey = "\(key)[\(index)]"
            guard let name = element as? String else {
                throw ConfigurationError(key: elementKey, message: "must be a field name string")
            }
            try checkName(name, key: elementKey)
            return name
        }
    }

    private static func parseEntries(_ value: Any?, key: String, allowsArrays: Bool) throws -> [HeaderRules.Entry] {
        guard let value else { return [] }
        guard let object = value as? [String: Any] else {
            throw ConfigurationError(key: key, message: "must be an object mapping field names to values")
        }
        var entries: [HeaderRules.Entry] = []
        for name in object.keys.sorted() {
            let entryKey = "\(key).\(name)"
            try checkName(name, key: entryKey)
            for text in try valueStrings(object[name], key: entryKey, allowsArrays: allowsArrays) {
                guard HTTPSyntax.isSafeFieldValue(text) else {
                    throw ConfigurationError(key: entryKey, message: "must not contain CR, LF or NUL; remove them")
                }
                entries.append(HeaderRules.Entry(name: name, value: try HeaderTemplate(text, key: entryKey)))
            }
        }
        return entries
    }

    private static func valueStrings(_ value: Any?, key: String, allowsArrays: Bool) throws -> [String] {
        if let text = value as? String {
            return [text]
        }
        if allowsArrays, let array = value as? [Any] {
            return try array.map { element in
                guard let text = element as? String else {
                    throw ConfigurationError(key: key, message: "must be a string or an array of strings")
                }
                return text
            }
        }
        let expected = allowsArrays ? "a string or an array of strings" : "a string"
        throw ConfigurationError(key: key, message: "must be \(expected)")
    }

    private static func checkName(_ name: String, key: String) throws {
        guard HTTPSyntax.isToken(name) else {
            throw ConfigurationError(
                key: key, message: "\"\(name)\" is not a valid field name; use letters, digits and - only")
        }
        guard !HTTPSyntax.gatewayManagedFields.contains(name.lowercased()) else {
            throw ConfigurationError(
                key: key, message: "\"\(name)\" is managed by the gateway (framing or hop-by-hop); remove the entry")
        }
    }
}
