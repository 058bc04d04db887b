// The configured key-value namespaces, opened as LMDB stores and exposed to middleware as `KeyValueAccess`.

import Foundation
import SwitchyardKV
import SwitchyardPlugin

/// Read access to the configuration's namespaces. Namespaces whose `path` is the same folder share one
/// `LMDBStore`, and each namespace is the LMDB named database of the same name.
///
/// Threading: `get` may be called from any thread, typically every event loop, and takes no lock.
public final class KeyValueNamespaces: KeyValueAccess {
    public let namespaces: [String]
    private let stores: [String: (store: LMDBStore, database: String)]

    /// Opens the store of every namespace, creating missing folders unless `readOnly`. Throws `ConfigurationError`
    /// naming `kv.<name>.path` when a store cannot be opened.
    public init(_ namespaces: [GatewayConfiguration.Namespace], readOnly: Bool = false) throws {
        var byPath: [String: LMDBStore] = [:]
        var stores: [String: (store: LMDBStore, database: String)] = [:]
        let countByPath = Dictionary(grouping: namespaces, by: \.path).mapValues(\.count)

        for namespace in namespaces {
            if let store = byPath[namespace.path] {
                stores[namespace.name] = (store, namespace.name)
                continue
            }
            do {
                let maxDatabases = max(16, countByPath[namespace.path] ?? 1)
                let store = try LMDBStore(
                    path: namespace.path, mapSize: namespace.mapSize, maxDatabases: maxDatabases, readOnly: readOnly)
                byPath[namespace.path] = store
                stores[namespace.name] = (store, namespace.name)
            } catch {
                throw ConfigurationError(key: "kv.\(namespace.name).path", message: "\(error)")
            }
        }
        self.namespaces = namespaces.map(\.name)
        self.stores = stores
    }

    /// Opens the namespaces of a loaded configuration.
    public convenience init(configuration: GatewayConfiguration, readOnly: Bool = false) throws {
        try self.init(configuration.namespaces, readOnly: readOnly)
    }

    /// Returns the value of `key` in `namespace`, or nil if absent. Throws `KVError` for an unknown namespace or a
    /// store failure.
    public func get(namespace: String, key: String) throws -> [UInt8]? {
        guard let entry = stores[namespace] else {
            throw unknownNamespace(namespace)
        }
        return try entry.store.get(database: entry.database, key: key)
    }

    /// Returns the store and database name of `namespace`, or nil if it is not configured. Tools that write use it.
    public func store(for namespace: String) -> (LMDBStore, database: String)? {
        guard let entry = stores[namespace] else { return nil }
        return (entry.store, database: entry.database)
    }

    /// Checks that `name` is usable as a namespace: 1 to 64 ASCII letters, digits, `_`, `-` or `.`.
    public static func isValidName(_ name: String) -> Bool {
        guard (1...64).contains(name.utf8.count) else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."):
                return true
            default:
                return false
            }
        }
    }

    private func unknownNamespace(_ namespace: String) -> UnknownNamespaceError {
        UnknownNamespaceError(namespace: namespace, configured: namespaces)
    }
}

/// A read from a namespace that the configuration does not define.
public struct UnknownNamespaceError: Error, CustomStringConvertible {
    public let namespace: String
    public let configured: [String]

    public var description: String {
        let known = configured.isEmpty ? "none are configured" : "configured: \(configured.joined(separator: ", "))"
        return "namespace \"\(namespace)\" is not configured (\(known)); add it under \"kv\" in the configuration "
            + "or use a configured namespace"
    }
}
