// One open LMDB environment per folder and process, with its database handles and per-thread read transactions.

internal import CLMDB
import Foundation

/// An open MDB_env shared by every `LMDBStore` of the same folder in this process.
///
/// LMDB must not open one environment twice in a process: closing the second copy's lock file drops the
/// process's fcntl locks, so another process could re-initialise the lock table under the first copy. The
/// process-wide table below hands out one instance per canonical path instead.
///
/// The environment uses MDB_NOTLS, so a reader table slot belongs to a transaction object rather than to a
/// thread. The store keeps its own per-thread transaction in a pthread key (see `ReaderSlot`). Without
/// MDB_NOTLS, a second read transaction on the same thread (a nested read, or a `list` inside `withValue`) would
/// fail with MDB_BAD_RSLOT. With it, a slot is also freed exactly when the store aborts its transaction, rather
/// than by LMDB's own thread-exit destructor, whose order against ours is unspecified.
final class Environment: @unchecked Sendable {
    /// Reader table size: one entry per thread that reads, per process, kept until the thread exits. LMDB's
    /// default of 126 is too small for a gateway with up to 256 event loops plus CLI processes.
    static let maxReaders: UInt32 = 1024

    let pointer: OpaquePointer
    let id: UInt64
    /// The canonical folder path.
    let path: String
    let readOnly: Bool
    let maxKeySize: Int
    let registry = ReaderRegistry()
    /// The handle of the unnamed main database, whose keys are the names of the named databases.
    private(set) var mainDatabase: MDB_dbi = 0

    /// Serialises mdb_dbi_open: LMDB allows only one transaction in the process to open handles at a time.
    let databaseLock = NSLock()
    var databases: [String: MDB_dbi] = [:]

    private init(pointer: OpaquePointer, id: UInt64, path: String, readOnly: Bool) {
        self.pointer = pointer
        self.id = id
        self.path = path
        self.readOnly = readOnly
        self.maxKeySize = Int(mdb_env_get_maxkeysize(pointer))
    }

    deinit {
        registry.closeAll()
        OpenEnvironments.lock.withLock {
            if OpenEnvironments.table[path]?.id == id {
                OpenEnvironments.table[path] = nil
            }
            mdb_env_close(pointer)
        }
    }

    // MARK: Opening

    /// Returns the environment open for `path` in this process, or opens it.
    static func open(path: String, mapSize: Int, maxDatabases: Int, readOnly: Bool) throws -> Environment {
        try validate(path: path, mapSize: mapSize, maxDatabases: maxDatabases)
        try prepareFolder(path: path, readOnly: readOnly)
        let canonical = canonicalPath(path)

        return try OpenEnvironments.lock.withLock {
            if let existing = OpenEnvironments.table[canonical]?.environment {
                if existing.readOnly && !readOnly {
                    throw KVError(
                        operation: "open", reason: "this process already opened the store read-only",
                        path: canonical, fix: "open every store of this folder in this process with readOnly: false")
                }
                return existing
            }
            OpenEnvironments.nextID += 1
            let environment = try create(
                path: canonical, id: OpenEnvironments.nextID, mapSize: mapSize, maxDatabases: maxDatabases,
                readOnly: readOnly)
            OpenEnvironments.table[canonical] = OpenEnvironments.Entry(environment: environment, id: environment.id)
            return environment
        }
    }

    private static func validate(path: String, mapSize: Int, maxDatabases: Int) throws {
        if path.isEmpty {
            throw KVError(operation: "open", reason: "the path is empty", path: path,
                          fix: "pass the folder of the store")
        }
        if mapSize <= 0 {
            throw KVError(operation: "open", reason: "invalid mapSize \(mapSize)", path: path,
                          fix: "pass the maximum store size in bytes, for example 1073741824 (1 GiB)")
        }
        if maxDatabases <= 0 || maxDatabases > Int(UInt32.max) {
            throw KVError(operation: "open", reason: "invalid maxDatabases \(maxDatabases)", path: path,
                          fix: "pass a positive number of named databases, for example 16")
        }
    }

    /// Creates the folder for a writable store; a read-only store requires it to exist.
    private static func prepareFolder(path: String, readOnly: Bool) throws {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if exists && !isDirectory.boolValue {
            throw KVError(operation: "open", reason: "the path is a file, not a folder", path: path,
                          fix: "point the path at a folder; LMDB keeps data.mdb and lock.mdb inside it")
        }
        if exists {
            return
        }
        if readOnly {
            throw KVError(operation: "open read-only", code: ENOENT, reason: "folder not found", path: path,
                          fix: "create the store first (for example with `switchyard kv put`) or fix the path")
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw KVError(operation: "create folder", reason: "\(error)", path: path,
                          fix: "check that the parent folder exists and is writable")
        }
    }

    private static func canonicalPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else {
            return URL(fileURLWithPath: path).standardizedFileURL.path
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Creates and opens the MDB_env. The caller must hold `OpenEnvironments.lock`.
    private static func create(
        path: String, id: UInt64, mapSize: Int, maxDatabases: Int, readOnly: Bool
    ) throws -> Environment {
        var pointer: OpaquePointer?
        var rc = mdb_env_create(&pointer)
        guard rc == 0, let pointer else {
            throw KVError(operation: "create environment", code: rc, path: path)
        }

        rc = mdb_env_set_mapsize(pointer, mapSize)
        if rc == 0 { rc = mdb_env_set_maxdbs(pointer, MDB_dbi(maxDatabases)) }
        if rc == 0 { rc = mdb_env_set_maxreaders(pointer, maxReaders) }
        if rc == 0 {
            let flags = UInt32(MDB_NOTLS) | (readOnly ? UInt32(MDB_RDONLY) : 0)
            rc = mdb_env_open(pointer, path, flags, 0o664)
        }
        guard rc == 0 else {
            mdb_env_close(pointer)
            throw KVError(operation: readOnly ? "open read-only" : "open", code: rc, path: path)
        }

        // Slots left by crashed processes would keep old pages pinned and make the file grow.
        var dead: Int32 = 0
        _ = mdb_reader_check(pointer, &dead)

        let environment = Environment(pointer: pointer, id: id, path: path, readOnly: readOnly)
        try environment.openMainDatabase()
        return environment
    }

    private func openMainDatabase() throws {
        var txn: OpaquePointer?
        var rc = mdb_txn_begin(pointer, nil, UInt32(MDB_RDONLY), &txn)
        guard rc == 0, let txn else {
            throw KVError(operation: "open main database", code: rc, path: path)
        }
        rc = mdb_dbi_open(txn, nil, 0, &mainDatabase)
        guard rc == 0 else {
            mdb_txn_abort(txn)
            throw KVError(operation: "open main database", code: rc, path: path)
        }
        rc = mdb_txn_commit(txn)
        guard rc == 0 else {
            throw KVError(operation: "open main database", code: rc, path: path)
        }
    }
}

/// The environments open in this process, by canonical path.
enum OpenEnvironments {
    struct Entry {
        weak var environment: Environment?
        let id: UInt64
    }

    static let lock = NSLock()
    nonisolated(unsafe) static var table: [String: Entry] = [:]
    nonisolated(unsafe) static var nextID: UInt64 = 0
}
