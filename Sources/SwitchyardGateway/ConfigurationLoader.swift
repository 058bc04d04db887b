// Loads the JSON configuration file (comments allowed) and validates every value before the gateway starts.

import Foundation
import SwitchyardPlugin

/// Reads and validates the gateway configuration.
///
/// The file is JSON5 as Foundation's `JSONDecoder.allowsJSON5` reads it: comments, trailing commas and unquoted
/// keys are allowed. Every problem is reported as a `ConfigurationError` naming the key path and the fix;
/// relative paths resolve against the configuration file's folder.
public enum ConfigurationLoader {
    /// The largest configuration file read, in bytes; a larger file is rejected rather than read into memory.
    public static let maxFileBytes = 16 << 20

    /// The top-level keys of a configuration file.
    public static let knownKeys: [String] = [
        "listen", "kv", "middleware", "plugins", "workers", "limits", "timeouts", "upstreamPoolSize", "redirect",
        "logLevel", "viaName",
    ]

    /// Loads and validates the file at `path`; throws the first `ConfigurationError` found.
    public static func load(path: String) throws -> GatewayConfiguration {
        let result = loadReportingAllErrors(path: path)
        if let first = result.errors.first {
            throw first
        }
        guard let configuration = result.configuration else {
            throw ConfigurationError(key: path, message: "could not be loaded; check the file")
        }
        return configuration
    }

    /// Loads and validates the file at `path`, collecting every error instead of stopping at the first. The
    /// configuration is nil when any error was found.
    public static func loadReportingAllErrors(
        path: String
    ) -> (configuration: GatewayConfiguration?, errors: [ConfigurationError]) {
        let root: [String: JSONValue]
        let directory: URL
        do {
            (root, directory) = try readRoot(path: path)
        } catch let error as ConfigurationError {
            return (nil, [error])
        } catch {
            return (nil, [ConfigurationError(key: path, message: "\(error)")])
        }

        var validator = ConfigurationValidator(directory: directory)
        let configuration = validator.configuration(from: root)
        return validator.errors.isEmpty ? (configuration, []) : (nil, validator.errors)
    }

    /// Loads only the `kv` section, for tools that need the key-value namespaces but not the listeners (the
    /// `switchyard kv` commands). Unknown top-level keys are still rejected.
    public static func loadNamespaces(path: String) throws -> (namespaces: [GatewayConfiguration.Namespace], directory: URL) {
        let (root, directory) = try readRoot(path: path)
        var validator = ConfigurationValidator(directory: directory)
        validator.rejectUnknownKeys(root, known: knownKeys, keyPath: "", noun: "top-level key")
        let namespaces = validator.namespaces(root["kv"])
        if let first = validator.errors.first {
            throw first
        }
        return (namespaces, directory)
    }

    /// Reads and parses the file; the root must be an object.
    static func readRoot(path: String) throws -> (root: [String: JSONValue], directory: URL) {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let data = try readFile(url: url, shownPath: path)
        let value: JSONValue
        do {
            value = try JSONValue.parse(data)
        } catch {
            if let problem = JSONSyntaxLocator.firstProblem(in: Array(data)) {
                throw ConfigurationError(key: path, message: "is not valid JSON at \(problem)")
            }
            throw ConfigurationError(
                key: path,
                message: "is not valid JSON (\(error)); check brackets, commas and quotes. Comments, trailing commas "
                    + "and unquoted keys are allowed")
        }
        guard case .object(let root) = value else {
            throw ConfigurationError(
                key: path, message: "must contain a JSON object such as {\"listen\": [...]}, not \(value.summary)")
        }
        return (root, url.deletingLastPathComponent())
    }

    private static func readFile(url: URL, shownPath: String) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ConfigurationError(key: shownPath, message: "configuration file not found; create it or fix the path")
        }
        guard !isDirectory.boolValue else {
            throw ConfigurationError(key: shownPath, message: "is a folder; pass the configuration file inside it")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        guard size <= maxFileBytes else {
            throw ConfigurationError(
                key: shownPath, message: "is \(size) bytes; a configuration file may be at most \(maxFileBytes) bytes")
        }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw ConfigurationError(key: shownPath, message: "could not be read (\(error)); check its permissions")
        }
    }
}

// MARK: - JSON values

/// A parsed JSON value that keeps `true` apart from `1` and integers apart from fractions, so the validator can
/// name the exact type that is wrong.
public enum JSONValue: Equatable, Sendable, Decodable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses JSON text, or with `allowJSON5` JSON5 text (comments, trailing commas, unquoted keys) as
    /// `JSONDecoder.allowsJSON5` accepts it. An object with a repeated key keeps one of the values.
    public static func parse(_ data: Data, allowJSON5: Bool = true) throws -> JSONValue {
        let decoder = JSONDecoder()
        decoder.allowsJSON5 = allowJSON5
        do {
            return try decoder.decode(JSONValue.self, from: data)
        } catch DecodingError.dataCorrupted(let context) {
            // Foundation's JSON5 reader reports no line or column; configuration errors add them through
            // JSONSyntaxLocator.
            throw ParseError(description: context.debugDescription)
        }
    }

    /// Invalid JSON text.
    public struct ParseError: Error, CustomStringConvertible {
        public let description: String
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// The value as `JSONSerialization` returns it: `NSNumber`, `String`, `[Any]`, `[String: Any]` or `NSNull`.
    public var foundationObject: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let value): return NSNumber(value: value)
        case .integer(let value): return NSNumber(value: value)
        case .number(let value): return NSNumber(value: value)
        case .string(let value): return value
        case .array(let values): return values.map(\.foundationObject)
        case .object(let members): return members.mapValues(\.foundationObject)
        }
    }

    /// Compact JSON text with sorted keys, or nil if the value contains NaN or an infinity, which JSON cannot
    /// represent.
    public var compactText: String? {
        var output = ""
        return write(to: &output) ? output : nil
    }

    private func write(to output: inout String) -> Bool {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .integer(let value): output += String(value)
        case .number(let value):
            guard value.isFinite else { return false }
            output += "\(value)"
        case .string(let value): JSONValue.writeString(value, to: &output)
        case .array(let values):
            output += "["
            for (index, value) in values.enumerated() {
                if index > 0 { output += "," }
                guard value.write(to: &output) else { return false }
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { output += "," }
                JSONValue.writeString(key, to: &output)
                output += ":"
                guard members[key]?.write(to: &output) ?? false else { return false }
            }
            output += "}"
        }
        return true
    }

    private static func writeString(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                output += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }

    /// A short description for error messages: the value itself for scalars, for example `"8080"` or `-5`, and
    /// `an array` or `an object` otherwise.
    public var summary: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return String(value)
        case .integer(let value): return String(value)
        case .number(let value): return String(value)
        case .string(let value):
            let shown = value.count > 60 ? String(value.prefix(60)) + "…" : value
            return "\"\(shown)\""
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

// MARK: - Validation

/// Walks the parsed file and builds the configuration, recording an error for every invalid value and going on
/// with defaults, so one run reports every problem.
struct ConfigurationValidator {
    let directory: URL
    private(set) var errors: [ConfigurationError] = []

    init(directory: URL) {
        self.directory = directory
    }

    mutating func fail(_ key: String, _ message: String) {
        errors.append(ConfigurationError(key: key, message: message))
    }

    mutating func configuration(from root: [String: JSONValue]) -> GatewayConfiguration {
        rejectUnknownKeys(root, known: ConfigurationLoader.knownKeys, keyPath: "", noun: "top-level key")

        var configuration = GatewayConfiguration(listeners: listeners(root["listen"]), directory: directory)
        configuration.namespaces = namespaces(root["kv"])
        configuration.middleware = middleware(root["middleware"])
        configuration.plugins = plugins(root["plugins"])
        configuration.workers = integer(root["workers"], "workers", in: 1...256, default: GatewayConfiguration.defaultWorkers)
        configuration.limits = limits(root["limits"])
        configuration.timeouts = timeouts(root["timeouts"])
        configuration.upstreamPoolSize = integer(root["upstreamPoolSize"], "upstreamPoolSize", in: 0...1024, default: 16)
        configuration.redirect = choice(root["redirect"], "redirect", from: ["pass", "follow"], default: "pass")
        configuration.logLevel = logLevel(root["logLevel"])
        configuration.viaName = viaName(root["viaName"])
        return configuration
    }

    // MARK: Generic checks

    mutating func rejectUnknownKeys(_ object: [String: JSONValue], known: [String], keyPath: String, noun: String) {
        for key in object.keys.sorted() where !known.contains(key) {
            fail(join(keyPath, key), "is not a known \(noun); known keys: \(known.joined(separator: ", "))")
        }
    }

    func join(_ keyPath: String, _ key: String) -> String {
        keyPath.isEmpty ? key : "\(keyPath).\(key)"
    }

    mutating func object(_ value: JSONValue?, _ key: String) -> [String: JSONValue]? {
        guard let value else { return nil }
        guard case .object(let members) = value else {
            fail(key, "must be an object ({...}), not \(value.summary)")
            return nil
        }
        return members
    }

    mutating func array(_ value: JSONValue?, _ key: String) -> [JSONValue]? {
        guard let value else { return nil }
        guard case .array(let elements) = value else {
            fail(key, "must be an array ([...]), not \(value.summary)")
            return nil
        }
        return elements
    }

    mutating func string(_ value: JSONValue?, _ key: String, required: Bool = false, example: String) -> String? {
        guard let value else {
            if required {
                fail(key, "is missing; add it, for example \"\(example)\"")
            }
            return nil
        }
        guard case .string(let text) = value, !text.isEmpty else {
            fail(key, "must be a non-empty string such as \"\(example)\", not \(value.summary)")
            return nil
        }
        return text
    }

    mutating func integer(_ value: JSONValue?, _ key: String, in range: ClosedRange<Int>, default fallback: Int) -> Int {
        guard let value else { return fallback }
        guard case .integer(let number) = value else {
            fail(key, "must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(value.summary)")
            return fallback
        }
        guard number >= Int64(range.lowerBound), number <= Int64(range.upperBound) else {
            fail(key, "must be from \(range.lowerBound) to \(range.upperBound), not \(number)")
            return fallback
        }
        return Int(number)
    }

    mutating func seconds(_ value: JSONValue?, _ key: String, default fallback: Double) -> Double {
        let maximum = 86_400.0
        guard let value else { return fallback }
        let number: Double
        switch value {
        case .integer(let whole): number = Double(whole)
        case .number(let fraction): number = fraction
        default:
            fail(key, "must be a number of seconds such as \(fallback), not \(value.summary)")
            return fallback
        }
        guard number > 0, number <= maximum else {
            fail(key, "must be more than 0 and at most \(Int(maximum)) seconds (one day), not \(value.summary)")
            return fallback
        }
        return number
    }

    mutating func choice(_ value: JSONValue?, _ key: String, from choices: [String], default fallback: String) -> String {
        guard let value else { return fallback }
        guard case .string(let text) = value, choices.contains(text) else {
            let list = choices.map { "\"\($0)\"" }.joined(separator: " or ")
            fail(key, "must be \(list), not \(value.summary)")
            return fallback
        }
        return text
    }

    /// Resolves `path` against the configuration folder.
    func resolve(_ path: String) -> String {
        if path.hasPrefix("/") {
            return URL(fileURLWithPath: path).standardizedFileURL.path
        }
        return directory.appendingPathComponent(path).standardizedFileURL.path
    }

    /// Resolves a path that must name an existing readable file.
    mutating func existingFile(_ value: JSONValue?, _ key: String, example: String) -> String? {
        guard let path = string(value, key, required: true, example: example) else { return nil }
        let resolved = resolve(path)
        var isDirectory: ObjCBool = false
        let relativeNote = path.hasPrefix("/") ? "" : " (relative paths resolve against \(directory.path))"
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory) else {
            fail(key, "file not found: \(resolved)\(relativeNote); create it or fix the path")
            return resolved
        }
        if isDirectory.boolValue {
            fail(key, "\(resolved) is a folder, not a file; point it at the file")
        } else if !FileManager.default.isReadableFile(atPath: resolved) {
            fail(key, "\(resolved) is not readable; check its permissions")
        }
        return resolved
    }
}

// MARK: - Sections

extension ConfigurationValidator {
    mutating func listeners(_ value: JSONValue?) -> [GatewayConfiguration.Listener] {
        guard let value else {
            fail("listen", "is missing; add at least one listener, for example [{\"address\": \"127.0.0.1:8080\"}]")
            return []
        }
        guard let entries = array(value, "listen") else { return [] }
        if entries.isEmpty {
            fail("listen", "is empty; add at least one listener, for example {\"address\": \"127.0.0.1:8080\"}")
        }

        var listeners: [GatewayConfiguration.Listener] = []
        var seen: [String: Int] = [:]
        for (index, entry) in entries.enumerated() {
            let keyPath = "listen[\(index)]"
            guard let listener = listener(entry, keyPath) else { continue }
            let address = listener.host.contains(":") ? "[\(listener.host)]:\(listener.port)" : "\(listener.host):\(listener.port)"
            if let first = seen[address], listener.port != 0 {
                fail("\(keyPath).address", "\(address) is already used by listen[\(first)]; give each listener its own address")
            }
            seen[address] = seen[address] ?? index
            listeners.append(listener)
        }
        return listeners
    }

    private mutating func listener(_ value: JSONValue, _ keyPath: String) -> GatewayConfiguration.Listener? {
        guard let members = object(value, keyPath) else { return nil }
        rejectUnknownKeys(members, known: ["address", "tls"], keyPath: keyPath, noun: "listener key")
        let tls = members["tls"].flatMap { tlsSettings($0, "\(keyPath).tls") }

        let key = "\(keyPath).address"
        guard let text = string(members["address"], key, required: true, example: "127.0.0.1:8443") else { return nil }
        switch ListenAddress.parse(text) {
        case .success(let address):
            return GatewayConfiguration.Listener(host: address.host, port: address.port, tls: tls)
        case .failure(let problem):
            fail(key, "\"\(text)\" is invalid: \(problem.message); use host:port such as 127.0.0.1:8443, 0.0.0.0:443 or [::1]:8443")
            return nil
        }
    }

    private mutating func tlsSettings(_ value: JSONValue, _ keyPath: String) -> GatewayConfiguration.TLSSettings? {
        guard let members = object(value, keyPath) else { return nil }
        rejectUnknownKeys(members, known: ["certificates", "minVersion"], keyPath: keyPath, noun: "TLS key")
        let minVersion = choice(members["minVersion"], "\(keyPath).minVersion", from: ["1.2", "1.3"], default: "1.2")

        let key = "\(keyPath).certificates"
        guard let entries = array(members["certificates"], key) else {
            if members["certificates"] == nil {
                fail(key, "is missing; add [{\"cert\": \"cert.pem\", \"key\": \"key.pem\"}], or remove tls for plain HTTP")
            }
            return nil
        }
        if entries.isEmpty {
            fail(key, "is empty; add {\"cert\": \"cert.pem\", \"key\": \"key.pem\"}, or remove tls for plain HTTP")
        }
        var pairs: [GatewayConfiguration.CertificatePair] = []
        for (index, entry) in entries.enumerated() {
            let entryPath = "\(key)[\(index)]"
            guard let pair = object(entry, entryPath) else { continue }
            rejectUnknownKeys(pair, known: ["cert", "key"], keyPath: entryPath, noun: "certificate key")
            let cert = existingFile(pair["cert"], "\(entryPath).cert", example: "cert.pem")
            let privateKey = existingFile(pair["key"], "\(entryPath).key", example: "key.pem")
            if let cert, let privateKey {
                pairs.append(GatewayConfiguration.CertificatePair(cert: cert, key: privateKey))
            }
        }
        return GatewayConfiguration.TLSSettings(certificates: pairs, minVersion: minVersion)
    }

    mutating func namespaces(_ value: JSONValue?) -> [GatewayConfiguration.Namespace] {
        guard let members = object(value, "kv") else { return [] }
        var namespaces: [GatewayConfiguration.Namespace] = []
        for name in members.keys.sorted() {
            let keyPath = "kv.\(name)"
            guard let entry = members[name] else { continue }
            if !KeyValueNamespaces.isValidName(name) {
                fail(keyPath, "\"\(name)\" is not a valid namespace name; use 1 to 64 letters, digits, '_', '-' or '.', such as ROUTING_CONFIG")
                continue
            }
            if let namespace = namespace(name: name, entry, keyPath) {
                namespaces.append(namespace)
            }
        }
        checkSharedPaths(namespaces)
        return namespaces
    }

    private mutating func namespace(name: String, _ value: JSONValue, _ keyPath: String) -> GatewayConfiguration.Namespace? {
        guard let members = object(value, keyPath) else { return nil }
        rejectUnknownKeys(members, known: ["backend", "path", "mapSize"], keyPath: keyPath, noun: "namespace key")

        let backendKey = "\(keyPath).backend"
        if let backend = string(members["backend"], backendKey, required: true, example: "lmdb"), backend != "lmdb" {
            fail(backendKey, "\"\(backend)\" is not a supported backend; the only backend is \"lmdb\"")
        }
        let mapSize = integer(members["mapSize"], "\(keyPath).mapSize", in: (1 << 20)...Int.max, default: 1 << 30)

        let pathKey = "\(keyPath).path"
        guard let path = string(members["path"], pathKey, required: true, example: "data/routing") else { return nil }
        let resolved = resolve(path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory), !isDirectory.boolValue {
            fail(pathKey, "\(resolved) is a file; LMDB needs a folder (it is created if missing)")
        }
        return GatewayConfiguration.Namespace(name: name, path: resolved, mapSize: mapSize)
    }

    /// Namespaces in one folder share one LMDB environment, which has one map size.
    private mutating func checkSharedPaths(_ namespaces: [GatewayConfiguration.Namespace]) {
        var first: [String: GatewayConfiguration.Namespace] = [:]
        for namespace in namespaces {
            guard let earlier = first[namespace.path] else {
                first[namespace.path] = namespace
                continue
            }
            if earlier.mapSize != namespace.mapSize {
                fail("kv.\(namespace.name).mapSize",
                     "is \(namespace.mapSize) but kv.\(earlier.name).mapSize is \(earlier.mapSize) for the same path; "
                        + "namespaces in one folder share one store, so give them the same mapSize")
            }
        }
    }

    mutating func middleware(_ value: JSONValue?) -> [GatewayConfiguration.MiddlewareEntry] {
        guard let entries = array(value, "middleware") else { return [] }
        var result: [GatewayConfiguration.MiddlewareEntry] = []
        for (index, entry) in entries.enumerated() {
            let keyPath = "middleware[\(index)]"
            guard var members = object(entry, keyPath) else { continue }
            guard let use = string(members["use"], "\(keyPath).use", required: true, example: "gzip") else { continue }
            members["use"] = nil
            let options = members.mapValues(\.foundationObject)
            result.append(GatewayConfiguration.MiddlewareEntry(use: use, options: options, keyPath: keyPath))
        }
        return result
    }

    mutating func plugins(_ value: JSONValue?) -> [String] {
        guard let entries = array(value, "plugins") else { return [] }
        var paths: [String] = []
        for (index, entry) in entries.enumerated() {
            let key = "plugins[\(index)]"
            guard let path = string(entry, key, required: true, example: "plugins/libMyPlugin.so") else { continue }
            let resolved = resolve(path)
            if !FileManager.default.fileExists(atPath: resolved) {
                fail(key, "not found: \(resolved); build the plugin or fix the path")
            }
            paths.append(resolved)
        }
        return paths
    }

    mutating func limits(_ value: JSONValue?) -> GatewayConfiguration.Limits {
        var limits = GatewayConfiguration.Limits()
        guard let members = object(value, "limits") else { return limits }
        let known = ["maxRequestLineBytes", "maxHeaderBytes", "maxHeaderCount", "maxBodyBytes", "maxResponseHeaderBytes", "maxConnections"]
        rejectUnknownKeys(members, known: known, keyPath: "limits", noun: "limit")

        let headBytes = 1...(16 << 20)
        limits.maxRequestLineBytes = integer(members["maxRequestLineBytes"], "limits.maxRequestLineBytes", in: headBytes, default: limits.maxRequestLineBytes)
        limits.maxHeaderBytes = integer(members["maxHeaderBytes"], "limits.maxHeaderBytes", in: headBytes, default: limits.maxHeaderBytes)
        limits.maxHeaderCount = integer(members["maxHeaderCount"], "limits.maxHeaderCount", in: 1...10_000, default: limits.maxHeaderCount)
        limits.maxBodyBytes = Int64(integer(members["maxBodyBytes"], "limits.maxBodyBytes", in: 0...Int.max, default: Int(limits.maxBodyBytes)))
        limits.maxResponseHeaderBytes = integer(members["maxResponseHeaderBytes"], "limits.maxResponseHeaderBytes", in: headBytes, default: limits.maxResponseHeaderBytes)
        limits.maxConnections = integer(members["maxConnections"], "limits.maxConnections", in: 1...1_000_000, default: limits.maxConnections)

        if limits.maxRequestLineBytes > limits.maxHeaderBytes {
            fail("limits.maxRequestLineBytes",
                 "is \(limits.maxRequestLineBytes) but limits.maxHeaderBytes is \(limits.maxHeaderBytes); the request line is part of the head, so raise maxHeaderBytes")
        }
        return limits
    }

    mutating func timeouts(_ value: JSONValue?) -> GatewayConfiguration.Timeouts {
        var timeouts = GatewayConfiguration.Timeouts()
        guard let members = object(value, "timeouts") else { return timeouts }
        let fields: [(String, WritableKeyPath<GatewayConfiguration.Timeouts, Double>)] = [
            ("requestHeader", \.requestHeader), ("requestBody", \.requestBody), ("keepAlive", \.keepAlive),
            ("tlsHandshake", \.tlsHandshake), ("upstreamConnect", \.upstreamConnect), ("upstreamRead", \.upstreamRead),
            ("upstreamIdle", \.upstreamIdle), ("shutdownGrace", \.shutdownGrace), ("send", \.send),
        ]
        rejectUnknownKeys(members, known: fields.map(\.0), keyPath: "timeouts", noun: "timeout")
        for (name, field) in fields {
            timeouts[keyPath: field] = seconds(members[name], "timeouts.\(name)", default: timeouts[keyPath: field])
        }
        return timeouts
    }

    mutating func logLevel(_ value: JSONValue?) -> String {
        let names = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        guard let value else { return "info" }
        guard case .string(let text) = value, let level = LogLevel(name: text) else {
            fail("logLevel", "must be one of \(names.joined(separator: ", ")), not \(value.summary)")
            return "info"
        }
        return level.description
    }

    mutating func viaName(_ value: JSONValue?) -> String {
        guard let name = string(value, "viaName", example: "switchyard") else { return "switchyard" }
        let tokenCharacters = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        guard name.count <= 64, name.allSatisfy({ tokenCharacters.contains($0) }) else {
            fail("viaName", "\"\(name)\" is not an HTTP token; use up to 64 letters, digits or -._~ such as \"switchyard\"")
            return "switchyard"
        }
        return name
    }
}

// MARK: - Listen addresses

/// A parsed `host:port` or `[IPv6]:port` listen address.
struct ListenAddress: Equatable {
    var host: String
    var port: Int

    struct Problem: Error {
        let message: String
    }

    /// Parses `text`; the host must be an IP literal because the gateway binds without resolving names. Port 0
    /// binds a free port chosen by the kernel.
    static func parse(_ text: String) -> Result<ListenAddress, Problem> {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                return .failure(Problem(message: "the IPv6 address has no closing ']'"))
            }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else {
                return .failure(Problem(message: "the port is missing after ']'"))
            }
            portPart = rest.dropFirst()
            guard isIPv6(String(hostPart)) else {
                return .failure(Problem(message: "\"\(hostPart)\" is not an IPv6 address"))
            }
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                return .failure(Problem(message: "the port is missing"))
            }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            if hostPart.contains(":") {
                return .failure(Problem(message: "an IPv6 address needs brackets, as in [::1]:8443"))
            }
            guard isIPv4(String(hostPart)) else {
                return .failure(Problem(message: "\"\(hostPart)\" is not an IPv4 address; host names are not resolved"))
            }
        }
        guard !portPart.isEmpty, portPart.count <= 5, portPart.allSatisfy(\.isASCIIDigit), let port = Int(portPart),
            port <= 65535
        else {
            return .failure(Problem(message: "the port \"\(portPart)\" is not a number from 0 to 65535"))
        }
        return .success(ListenAddress(host: String(hostPart), port: port))
    }

    private static func isIPv4(_ text: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, text, &address) == 1
    }

    private static func isIPv6(_ text: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, text, &address) == 1
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool {
        isASCII && isNumber
    }
}
