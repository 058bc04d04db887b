// The error thrown by the LMDB key-value store: what failed, on which store, database and key, and the fix.

internal import CLMDB
import Glibc

/// A failed key-value store operation. The description names the operation, the LMDB error text, the store's
/// path, the database and key involved, and what to do next.
public struct KVError: Error, CustomStringConvertible, Sendable {
    /// The operation that failed, for example `put` or `open environment`.
    public let operation: String
    /// The LMDB return code, or nil when the store rejected the input before calling LMDB.
    public let code: Int32?
    /// The reason: the `mdb_strerror` text for LMDB failures, or what is wrong with the input.
    public let reason: String
    /// The folder of the LMDB environment.
    public let path: String
    /// The named database (namespace), if the operation concerned one.
    public let database: String?
    /// The key, if the operation concerned one.
    public let key: String?
    /// The next step for the user, for example which setting to raise.
    public let fix: String

    public init(
        operation: String, code: Int32? = nil, reason: String, path: String, database: String? = nil,
        key: String? = nil, fix: String
    ) {
        self.operation = operation
        self.code = code
        self.reason = reason
        self.path = path
        self.database = database
        self.key = key
        self.fix = fix
    }

    /// An error for the LMDB return code `code`, with the text of `mdb_strerror` and a fix chosen from the code.
    init(operation: String, code: Int32, path: String, database: String? = nil, key: String? = nil) {
        self.init(
            operation: operation, code: code, reason: String(cString: mdb_strerror(code)), path: path,
            database: database, key: key, fix: KVError.fix(for: code)
        )
    }

    /// For example `put failed: MDB_MAP_FULL: Environment mapsize limit reached (store /srv/kv, database
    /// ROUTES, key "storeA"); raise the namespace's mapSize ...`.
    public var description: String {
        var subject = "store \(path)"
        if let database {
            subject += ", database \(database)"
        }
        if let key {
            subject += ", key \"\(key)\""
        }
        return "\(operation) failed: \(reason) (\(subject)); \(fix)"
    }

    /// A fix for the LMDB return codes that a caller can act on.
    static func fix(for code: Int32) -> String {
        switch code {
        case MDB_MAP_FULL:
            return "raise the namespace's mapSize (bytes) in the configuration, or delete unused keys"
        case MDB_MAP_RESIZED:
            return "another process grew the store beyond this process's map size; restart this process, "
                + "or give every process the same mapSize"
        case MDB_DBS_FULL:
            return "raise maxDatabases when opening the store"
        case MDB_READERS_FULL:
            return "too many threads or processes read the store at once; stop idle readers or run "
                + "`mdb_stat -rr` on the folder to clear stale reader slots"
        case MDB_INCOMPATIBLE:
            return "the name refers to a plain key in the main database, not a named database; use another name"
        case MDB_VERSION_MISMATCH, MDB_INVALID:
            return "the folder does not hold an LMDB 0.9 store; point the path at an empty folder or an LMDB store"
        case MDB_CORRUPTED, MDB_PANIC, MDB_PAGE_NOTFOUND:
            return "the store is damaged; restore it from a backup or rebuild it"
        case EACCES:
            return "check the permissions of the folder and of its data.mdb and lock.mdb files"
        case ENOENT:
            return "create the folder, or open the store without readOnly so that it is created"
        case ENOSPC:
            return "free disk space"
        default:
            return "see the LMDB error text above"
        }
    }
}
