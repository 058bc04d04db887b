// Checks a routing value before `kv put` stores it, so a typo fails at the command line rather than per request.

import Foundation
import SwitchyardBuiltins
import SwitchyardGateway

/// The validation of routing values: a JSON object such as `{"origin": "https://storefront-a.example.com"}`.
enum RoutingValue {
    static let example = #"{"origin": "https://storefront-a.example.com", "redirect": "pass"}"#
    static let knownKeys: Set<String> = ["origin", "redirect", "verifyTLS", "caFile"]

    /// A problem with a value, or a warning that does not stop the write.
    struct Finding {
        var message: String
        var isWarning = false
    }

    /// Checks `text`, the value as it will be stored. Returns every problem found.
    static func check(text: String) -> [Finding] {
        let value: JSONValue
        do {
            value = try JSONValue.parse(Data(text.utf8), allowJSON5: false)
        } catch {
            return [Finding(message: "is not valid JSON (\(error))")]
        }
        var findings = check(value)
        // Foundation's parser accepts a few things the gateway's strict reader rejects, such as a trailing comma;
        // the gateway's own check has the last word.
        if !findings.contains(where: { !$0.isWarning }), let problem = routingValueProblem(Array(text.utf8)) {
            findings.append(Finding(message: problem))
        }
        return findings
    }

    static func check(_ value: JSONValue) -> [Finding] {
        guard case .object(let members) = value else {
            return [Finding(message: "must be a JSON object, not \(value.summary)")]
        }
        var findings: [Finding] = []
        if let problem = originProblem(members["origin"]) {
            findings.append(Finding(message: problem))
        }
        if let redirect = members["redirect"], redirect != .string("pass"), redirect != .string("follow") {
            findings.append(Finding(message: "\"redirect\" must be \"pass\" or \"follow\", not \(redirect.summary)"))
        }
        if let verify = members["verifyTLS"], !isBool(verify) {
            findings.append(Finding(message: "\"verifyTLS\" must be true or false, not \(verify.summary)"))
        }
        if let caFile = members["caFile"], !isAbsolutePath(caFile) {
            findings.append(Finding(
                message: "\"caFile\" must be an absolute path string such as \"/etc/ssl/origin-ca.pem\", not \(caFile.summary)"))
        }
        for key in members.keys.sorted() where !knownKeys.contains(key) {
            findings.append(Finding(
                message: "unknown key \"\(key)\" is ignored by the gateway; known keys: origin, redirect, verifyTLS, caFile",
                isWarning: true))
        }
        return findings
    }

    private static func isBool(_ value: JSONValue) -> Bool {
        if case .bool = value { return true }
        return false
    }

    private static func isAbsolutePath(_ value: JSONValue) -> Bool {
        if case .string(let path) = value { return path.hasPrefix("/") }
        return false
    }

    /// Returns the problem with the `origin` member, or nil if it is an absolute http or https URL with a host and no
    /// query, fragment or user information.
    static func originProblem(_ value: JSONValue?) -> String? {
        guard let value else {
            return "\"origin\" is missing"
        }
        guard case .string(let text) = value else {
            return "\"origin\" must be a URL string, not \(value.summary)"
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            return "\"origin\" \"\(text)\" is not a valid URL; check the scheme, host and port, as in https://shop.example.com:8443"
        }
        guard scheme == "http" || scheme == "https" else {
            return "\"origin\" \"\(text)\" must use http or https, not \(scheme)"
        }
        guard let host = components.host, !host.isEmpty else {
            return "\"origin\" \"\(text)\" has no host"
        }
        if components.query != nil || components.fragment != nil {
            return "\"origin\" \"\(text)\" must not have a query (?...) or fragment (#...)"
        }
        if components.user != nil || components.password != nil {
            return "\"origin\" \"\(text)\" must not contain user information (user:password@)"
        }
        if let port = components.port, !(1...65535).contains(port) {
            return "\"origin\" \"\(text)\" has port \(port); use 1 to 65535"
        }
        return nil
    }
}
