// Field value templates with ${storefront_id}, ${request_id} and ${client_ip}, parsed once at configuration time.

import SwitchyardPlugin

/// A field value with variables, split into literal text and variables when the configuration is loaded.
///
/// `$` not followed by `{` is literal text. There is no escape for a literal `${`.
struct HeaderTemplate: Equatable {
    enum Part: Equatable {
        case literal(String)
        case storefrontID
        case requestID
        case clientIP
    }

    static let variableNames: [String: Part] = [
        "storefront_id": .storefrontID, "request_id": .requestID, "client_ip": .clientIP,
    ]

    let parts: [Part]

    /// Parses `text`. Throws a `ConfigurationError` for `key` when a variable is unknown or not closed.
    init(_ text: String, key: String) throws {
        var parts: [Part] = []
        var rest = text[...]
        while let dollar = rest.range(of: "${") {
            if dollar.lowerBound > rest.startIndex {
                parts.append(.literal(String(rest[..<dollar.lowerBound])))
            }
            guard let close = rest[dollar.upperBound...].firstIndex(of: "}") else {
                throw ConfigurationError(key: key, message: "has \"${\" without a closing \"}\"; write ${name}")
            }
            let name = String(rest[dollar.upperBound..<close])
            guard let variable = Self.variableNames[name] else {
                throw ConfigurationError(
                    key: key,
                    message: "uses unknown variable ${\(name)}; known: ${client_ip}, ${request_id}, ${storefront_id}")
            }
            parts.append(variable)
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty {
            parts.append(.literal(String(rest)))
        }
        self.parts = parts
    }

    /// Whether the template has a variable, so its value can differ per request.
    var hasVariables: Bool {
        parts.contains { part in
            if case .literal = part { return false }
            return true
        }
    }

    /// The value for this request. A missing variable value (no storefront yet) expands to empty text.
    func expand(_ context: RequestContext) -> String {
        if parts.count == 1 {
            // A value that is one literal or one variable needs no concatenation.
            switch parts[0] {
            case .literal(let text): return text
            case .storefrontID: return context.storefrontID ?? ""
            case .requestID: return context.requestID
            case .clientIP: return context.clientAddress
            }
        }
        var value = ""
        for part in parts {
            switch part {
            case .literal(let text): value += text
            case .storefrontID: value += context.storefrontID ?? ""
            case .requestID: value += context.requestID
            case .clientIP: value += context.clientAddress
            }
        }
        return value
    }
}
