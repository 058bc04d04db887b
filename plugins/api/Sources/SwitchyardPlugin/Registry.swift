// The registry that maps middleware names to factories, shared by built-in and loaded plugins.

import Foundation

/// The JSON options of one `middleware` entry, without its `use` key.
public struct MiddlewareOptions: @unchecked Sendable {
    /// The options as a parsed JSON object (`[String: Any]` with `NSNumber`, `String`, arrays and dictionaries).
    public let values: [String: Any]
    /// The options object as JSON text.
    public let json: Data
    /// The entry's key path in the configuration, for example `middleware[2]`, used in error messages.
    public let keyPath: String

    public init(values: [String: Any], keyPath: String) {
        self.values = values
        self.keyPath = keyPath
        self.json = (try? JSONSerialization.data(withJSONObject: values, options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    /// Decodes the options into a `Decodable` type; a decoding error becomes a `ConfigurationError` naming the key.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: json)
        } catch let DecodingError.keyNotFound(key, context) {
            throw ConfigurationError(key: path(context.codingPath + [key]), message: "is missing")
        } catch let DecodingError.typeMismatch(expected, context) {
            throw ConfigurationError(key: path(context.codingPath), message: "must be of type \(expected)")
        } catch let DecodingError.valueNotFound(expected, context) {
            throw ConfigurationError(key: path(context.codingPath), message: "must be a \(expected), not null")
        } catch let DecodingError.dataCorrupted(context) {
            throw ConfigurationError(key: path(context.codingPath), message: context.debugDescription)
        }
    }

    /// Throws a `ConfigurationError` naming the first key that is not in `known`, so typos do not pass silently.
    public func rejectUnknownKeys(_ known: Set<String>) throws {
        for key in values.keys.sorted() where !known.contains(key) {
            let list = known.sorted().joined(separator: ", ")
            throw ConfigurationError(key: "\(keyPath).\(key)", message: "is not a known option; known options: \(list)")
        }
    }

    private func path(_ keys: [CodingKey]) -> String {
        keys.reduce(keyPath) { result, key in
            if let index = key.intValue { return "\(result)[\(index)]" }
            return "\(result).\(key.stringValue)"
        }
    }
}

/// An invalid configuration value: the key path and what is wrong with it, including the fix.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The full key path, for example `middleware[1].response.set`.
    public let key: String
    public let message: String

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { "\(key): \(message)" }
}

/// The context a middleware factory gets besides its options.
public struct PluginEnvironment: Sendable {
    /// The folder of the configuration file; relative paths in options resolve against it.
    public let configDirectory: URL
    /// Read access to the configured key-value namespaces.
    public let keyValue: KeyValueAccess
    /// The gateway's logger.
    public let logger: Logger
    /// The configuration's top-level `redirect` setting: how routing middleware treats origin redirects unless
    /// its own options or a storefront's value set another mode.
    public let defaultRedirectMode: Upstream.RedirectMode

    public init(
        configDirectory: URL, keyValue: KeyValueAccess, logger: Logger, defaultRedirectMode: Upstream.RedirectMode = .pass
    ) {
        self.configDirectory = configDirectory
        self.keyValue = keyValue
        self.logger = logger
        self.defaultRedirectMode = defaultRedirectMode
    }

    /// Resolves a path from the options against the configuration file's folder.
    public func resolvePath(_ path: String) -> URL {
        if path.hasPrefix("/") {
            return URL(fileURLWithPath: path)
        }
        return configDirectory.appendingPathComponent(path)
    }
}

/// A registered middleware name and the factory that makes an instance from its options.
public struct MiddlewareDescriptor: Sendable {
    public let name: String
    /// The version of the middleware, chosen by its author.
    public let version: String
    /// The middleware's origin: `built-in` or the path of the loaded library.
    public let library: String
    /// Makes a middleware from its options. Throws `ConfigurationError` for invalid options.
    public let make: @Sendable (MiddlewareOptions, PluginEnvironment) throws -> Middleware
}

/// Names of available middleware. Built-in plugins register here exactly as loaded plugins do.
public final class MiddlewareRegistry: @unchecked Sendable {
    private var descriptors: [String: MiddlewareDescriptor] = [:]
    private var order: [String] = []
    /// The library that registrations are attributed to while a plugin's entry point runs.
    public var currentLibrary = "built-in"

    public init() {}

    /// Registers a middleware name. Throws if the name is empty or already taken.
    public func register(
        name: String, version: String,
        make: @escaping @Sendable (MiddlewareOptions, PluginEnvironment) throws -> Middleware
    ) throws {
        guard !name.isEmpty else {
            throw RegistryError.invalidName(name)
        }
        if let existing = descriptors[name] {
            throw RegistryError.duplicateName(name, existingLibrary: existing.library)
        }
        descriptors[name] = MiddlewareDescriptor(name: name, version: version, library: currentLibrary, make: make)
        order.append(name)
    }

    /// Adds a descriptor made by another registry and keeps its library. The gateway moves a plugin's names from
    /// its staging registry this way once all of them passed the checks. Throws if the name is already taken.
    public func add(_ descriptor: MiddlewareDescriptor) throws {
        if let existing = descriptors[descriptor.name] {
            throw RegistryError.duplicateName(descriptor.name, existingLibrary: existing.library)
        }
        descriptors[descriptor.name] = descriptor
        order.append(descriptor.name)
    }

    /// The descriptor registered under `name`, or nil.
    public func descriptor(named name: String) -> MiddlewareDescriptor? {
        descriptors[name]
    }

    /// Every registered descriptor in registration order.
    public var all: [MiddlewareDescriptor] {
        order.compactMap { descriptors[$0] }
    }
}

/// The reason a registration was rejected.
public enum RegistryError: Error, CustomStringConvertible, Equatable {
    case invalidName(String)
    case duplicateName(String, existingLibrary: String)

    public var description: String {
        switch self {
        case .invalidName(let name):
            return "invalid middleware name \"\(name)\"; use a non-empty name such as \"api-key\""
        case .duplicateName(let name, let library):
            return "middleware name \"\(name)\" is already registered by \(library); rename one of them"
        }
    }
}
