// The LMDB key-value store: named databases of string keys and byte values, shared between processes.

internal import CLMDB
import Foundation

/// A key-value store in an LMDB environment folder, with one named database per namespace.
///
/// Threading: every method may be called from any thread. Reads never block writers or each other. Each thread
/// keeps one read transaction per environment and renews it for every read, so a read costs no allocation and no
/// lock, and sees every write committed before it began, including writes by other processes such as
/// `switchyard kv put`. Writes take LMDB's writer lock, shared across processes.
///
/// Stores of the same folder in one process share one LMDB environment, and so its map size and read-only mode:
/// the first store opened for a folder sets them.
///
/// NOTE: if another process grows the data beyond this process's map size, reads fail with MDB_MAP_RESIZED until
/// this process restarts. Adopting the new size needs `mdb_env_set_mapsize` with no read in flight on any thread,
/// which would cost a lock on every read. Give every process the same mapSize (the CLI and the gateway read it from
/// the same configuration).
public final class LMDBStore: @unchecked Sendable {
    /// The folder as given to `init`.
    public let path: String
    /// Whether this store rejects writes.
    public let readOnly: Bool
    private let environment: Environment

    /// Opens (creating the folder if needed, unless readOnly) an LMDB environment at `path` with named databases.
    /// `mapSize` is the maximum store size in bytes (default 1 GiB); `maxDatabases` is the number of named
    /// databases the environment can hold (default 16). Throws `KVError` naming the path when the folder is
    /// missing in read-only mode, is not a folder, or is not an LMDB store.
    public init(path: String, mapSize: Int = 1 << 30, maxDatabases: Int = 16, readOnly: Bool = false) throws {
        self.path = path
        self.readOnly = readOnly
        self.environment = try Environment.open(
            path: path, mapSize: mapSize, maxDatabases: maxDatabases, readOnly: readOnly)
    }

    /// The largest key LMDB accepts, in UTF-8 bytes (511 for the default build).
    public var maxKeySize: Int { environment.maxKeySize }

    // MARK: Reads

    /// Returns a copy of the value stored under `key`, or nil if the key or the database is absent.
    public func get(database: String, key: String) throws -> [UInt8]? {
        try withValue(database: database, key: key) { Array($0) }
    }

    /// Zero-copy read: calls body with the value bytes inside a read transaction; returns nil if absent.
    /// The buffer points into the memory map and is valid only during `body`.
    @inline(__always)
    public func withValue<R>(
        database: String, key: String, _ body: (UnsafeRawBufferPointer) throws -> R
    ) throws -> R? {
        try checkKey(key, operation: "get", database: database)
        let slot = try environment.currentSlot()
        guard let dbi = try environment.readHandle(database, slot: slot) else {
            return nil
        }
        return try environment.withSnapshot(slot) { txn in
            try environment.withValue(txn: txn, database: dbi, name: database, key: key, body)
        }
    }

    /// Returns the pairs whose key starts with `prefix`, in byte order of the keys, at most `limit` of them.
    /// Keys that are not valid UTF-8 have the invalid bytes replaced by U+FFFD.
    public func list(
        database: String, prefix: String = "", limit: Int = .max
    ) throws -> [(key: String, value: [UInt8])] {
        try checkDatabaseName(database, operation: "list")
        guard limit > 0, prefix.utf8.count <= maxKeySize else {
            return []
        }
        let slot = try environment.currentSlot()
        guard let dbi = try environment.readHandle(database, slot: slot) else {
            return []
        }
        return try environment.withSnapshot(slot) { txn in
            try collect(txn: txn, dbi: dbi, database: database, prefix: prefix, limit: limit)
        }
    }

    // MARK: Writes

    /// Stores `value` under `key`, creating the database if needed.
    public func put(database: String, key: String, value: [UInt8]) throws {
        try putAll(database: database, [(key: key, value: value)])
    }

    /// Stores every pair in one write transaction: either all of them are written or, on any error, none.
    public func putAll(database: String, _ pairs: [(key: String, value: [UInt8])]) throws {
        let operation = pairs.count == 1 ? "put" : "bulk put"
        try checkWritable(operation: operation, database: database)
        for pair in pairs {
            try checkKey(pair.key, operation: operation, database: database)
        }
        let dbi = try writeHandle(database, operation: operation)

        try environment.withWriteTransaction(operation, database: database, key: nil) { txn in
            for pair in pairs {
                try store(txn: txn, dbi: dbi, database: database, key: pair.key, value: pair.value, operation: operation)
            }
        }
    }

    /// Removes `key`; returns false if it was absent. A missing database is not created.
    @discardableResult
    public func delete(database: String, key: String) throws -> Bool {
        try checkWritable(operation: "delete", database: database)
        try checkKey(key, operation: "delete", database: database)
        guard let dbi = try environment.sharedHandle(database, create: false) else {
            return false
        }

        return try environment.withWriteTransaction("delete", database: database, key: key) { txn in
            var key = key
            return try key.withUTF8 { keyBytes in
                var keyValue = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
                let rc = mdb_del(txn, dbi, &keyValue, nil)
                if rc == MDB_NOTFOUND {
                    return false
                }
                guard rc == 0 else {
                    throw KVError(operation: "delete", code: rc, path: path, database: database, key: String(decoding: keyBytes, as: UTF8.self))
                }
                return true
            }
        }
    }

    // MARK: Helpers

    private func writeHandle(_ database: String, operation: String) throws -> MDB_dbi {
        guard let dbi = try environment.sharedHandle(database, create: true) else {
            throw KVError(operation: operation, code: MDB_NOTFOUND, path: path, database: database)
        }
        return dbi
    }

    private func store(
        txn: OpaquePointer, dbi: MDB_dbi, database: String, key: String, value: [UInt8], operation: String
    ) throws {
        var key = key
        try key.withUTF8 { keyBytes in
            var keyValue = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            try value.withUnsafeBytes { valueBytes in
                var dataValue = MDB_val(mv_size: valueBytes.count, mv_data: UnsafeMutableRawPointer(mutating: valueBytes.baseAddress))
                let rc = mdb_put(txn, dbi, &keyValue, &dataValue, 0)
                guard rc == 0 else {
                    throw KVError(operation: operation, code: rc, path: path, database: database, key: String(decoding: keyBytes, as: UTF8.self))
                }
            }
        }
    }

    /// Walks the cursor from the first key not below `prefix` while keys start with it.
    private func collect(
        txn: OpaquePointer, dbi: MDB_dbi, database: String, prefix: String, limit: Int
    ) throws -> [(key: String, value: [UInt8])] {
        var cursor: OpaquePointer?
        var rc = mdb_cursor_open(txn, dbi, &cursor)
        guard rc == 0, let cursor else {
            throw KVError(operation: "list", code: rc, path: path, database: database)
        }
        defer { mdb_cursor_close(cursor) }

        let prefixBytes = Array(prefix.utf8)
        var results: [(key: String, value: [UInt8])] = []
        var keyValue = MDB_val()
        var dataValue = MDB_val()
        rc = prefixBytes.withUnsafeBytes { bytes in
            guard !bytes.isEmpty else {
                return mdb_cursor_get(cursor, &keyValue, &dataValue, MDB_FIRST)
            }
            keyValue = MDB_val(mv_size: bytes.count, mv_data: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
            return mdb_cursor_get(cursor, &keyValue, &dataValue, MDB_SET_RANGE)
        }
        while rc == 0 && results.count < limit {
            let keyBytes = UnsafeRawBufferPointer(start: keyValue.mv_data, count: keyValue.mv_size)
            guard keyBytes.starts(with: prefixBytes) else {
                break
            }
            let value = Array(UnsafeRawBufferPointer(start: dataValue.mv_data, count: dataValue.mv_size))
            results.append((key: String(decoding: keyBytes, as: UTF8.self), value: value))
            rc = mdb_cursor_get(cursor, &keyValue, &dataValue, MDB_NEXT)
        }
        guard rc == 0 || rc == MDB_NOTFOUND else {
            throw KVError(operation: "list", code: rc, path: path, database: database)
        }
        return results
    }

    @inline(__always)
    private func checkKey(_ key: String, operation: String, database: String) throws {
        try checkDatabaseName(database, operation: operation)
        let size = key.utf8.count
        guard size > 0, size <= environment.maxKeySize else {
            let shown = size > 64 ? String(key.prefix(64)) + "…" : key
            throw KVError(
                operation: operation,
                reason: size == 0 ? "the key is empty" : "the key is \(size) bytes long; LMDB allows at most \(environment.maxKeySize)",
                path: path, database: database, key: shown,
                fix: "use a key of 1 to \(environment.maxKeySize) UTF-8 bytes")
        }
    }

    @inline(__always)
    private func checkDatabaseName(_ database: String, operation: String) throws {
        let size = database.utf8.count
        guard size > 0, size <= environment.maxKeySize else {
            throw KVError(
                operation: operation, reason: "invalid database name \"\(database)\"", path: path,
                database: database, fix: "use a name of 1 to \(environment.maxKeySize) UTF-8 bytes, such as ROUTING_CONFIG")
        }
    }

    private func checkWritable(operation: String, database: String) throws {
        if readOnly || environment.readOnly {
            throw KVError(
                operation: operation, reason: "the store was opened read-only", path: path, database: database,
                fix: "open the store with readOnly: false to write")
        }
    }
}
