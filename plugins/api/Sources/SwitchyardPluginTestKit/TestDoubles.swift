// In-memory stand-ins for the gateway's key-value store and log output, for plugin tests.

import Foundation
import SwitchyardPlugin

/// Key-value namespaces held in memory, for tests of middleware that read `RequestContext.keyValue`.
///
/// Thread-safe: a lock guards the values, so a test may change them while a middleware reads.
public final class InMemoryKeyValue: KeyValueAccess, @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: [String: [UInt8]]]

    /// Makes the namespaces from text values, for example `["API_KEYS": ["k1": "alice"]]`.
    public init(_ namespaces: [String: [String: String]] = [:]) {
        values = namespaces.mapValues { $0.mapValues { Array($0.utf8) } }
    }

    /// The names of the namespaces, sorted.
    public var namespaces: [String] {
        lock.withLock { values.keys.sorted() }
    }

    /// Stores `value` under `key` in `namespace`, creating the namespace if needed.
    public func put(namespace: String, key: String, value: String) {
        lock.withLock { values[namespace, default: [:]][key] = Array(value.utf8) }
    }

    /// Returns the value stored under `key`, or nil. Throws `UnknownNamespace` for a namespace that was never
    /// created, as the gateway's store does.
    public func get(namespace: String, key: String) throws -> [UInt8]? {
        try lock.withLock {
            guard let entries = values[namespace] else {
                throw UnknownNamespace(name: namespace)
            }
            return entries[key]
        }
    }

    /// A namespace that is not configured.
    public struct UnknownNamespace: Error, CustomStringConvertible {
        /// The namespace name that was requested.
        public let name: String

        public var description: String { "kv namespace \"\(name)\" is not configured" }
    }
}

/// A log sink that keeps every record in memory so that a test can check what a middleware logged.
public final class CollectingLogSink: LogSink, @unchecked Sendable {
    /// One log record.
    public struct Record: Sendable {
        /// The record's severity.
        public let level: LogLevel
        /// The constant message text.
        public let message: String
        /// The merged metadata, such as `request.id`.
        public let metadata: [String: String]
    }

    private let lock = NSLock()
    private var stored: [Record] = []

    /// Makes an empty sink.
    public init() {}

    /// The records written so far, in order.
    public var records: [Record] {
        lock.withLock { stored }
    }

    /// Appends a record.
    public func write(level: LogLevel, message: String, metadata: [String: String]) {
        lock.withLock { stored.append(Record(level: level, message: message, metadata: metadata)) }
    }
}
