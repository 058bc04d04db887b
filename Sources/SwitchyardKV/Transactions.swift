// Read snapshots, write transactions and database handles of an `Environment`.

internal import CLMDB
import Foundation

extension Environment {
    // MARK: Read transactions

    /// Returns the calling thread's slot, created with a reset read transaction on first use.
    @inline(__always)
    func currentSlot() throws -> ReaderSlot {
        let readers = ThreadReaders.current
        if let slot = readers.slot(for: id) {
            return slot
        }
        return try makeSlot(readers)
    }

    private func makeSlot(_ readers: ThreadReaders) throws -> ReaderSlot {
        var txn: OpaquePointer?
        let rc = mdb_txn_begin(pointer, nil, UInt32(MDB_RDONLY), &txn)
        guard rc == 0, let txn else {
            throw KVError(operation: "begin read transaction", code: rc, path: path)
        }
        mdb_txn_reset(txn)

        let slot = ReaderSlot(environmentID: id, registry: registry, transaction: txn)
        guard registry.add(slot) else {
            mdb_txn_abort(txn)
            throw KVError(operation: "begin read transaction", reason: "the store is closed", path: path,
                          fix: "keep the LMDBStore alive while reading")
        }
        readers.add(slot)
        return slot
    }

    /// Runs `body` in a read transaction that sees the latest committed write: the thread's reset transaction,
    /// renewed, or a new one when that one is busy with an enclosing read on this thread.
    @inline(__always)
    func withSnapshot<R>(_ slot: ReaderSlot, _ body: (OpaquePointer) throws -> R) throws -> R {
        guard !slot.busy, let txn = slot.transaction else {
            return try withFreshSnapshot(body)
        }
        let rc = mdb_txn_renew(txn)
        guard rc == 0 else {
            discard(slot)
            throw KVError(operation: "renew read transaction", code: rc, path: path)
        }
        slot.busy = true
        defer {
            mdb_txn_reset(txn)
            slot.busy = false
        }
        return try body(txn)
    }

    private func withFreshSnapshot<R>(_ body: (OpaquePointer) throws -> R) throws -> R {
        var txn: OpaquePointer?
        let rc = mdb_txn_begin(pointer, nil, UInt32(MDB_RDONLY), &txn)
        guard rc == 0, let txn else {
            throw KVError(operation: "begin read transaction", code: rc, path: path)
        }
        defer { mdb_txn_abort(txn) }
        return try body(txn)
    }

    /// Drops a slot whose renewal failed, so that the next read on this thread starts a new transaction.
    private func discard(_ slot: ReaderSlot) {
        registry.release(slot)
        ThreadReaders.current.slots.removeAll { $0 === slot }
    }

    // MARK: Write transactions

    /// Runs `body` in a write transaction and commits it; a thrown error aborts it, so nothing is written.
    func withWriteTransaction<R>(
        _ operation: String, database: String, key: String?, _ body: (OpaquePointer) throws -> R
    ) throws -> R {
        var txn: OpaquePointer?
        var rc = mdb_txn_begin(pointer, nil, 0, &txn)
        guard rc == 0, let txn else {
            throw KVError(operation: operation, code: rc, path: path, database: database, key: key)
        }
        let result: R
        do {
            result = try body(txn)
        } catch {
            mdb_txn_abort(txn)
            throw error
        }
        rc = mdb_txn_commit(txn)
        guard rc == 0 else {
            throw KVError(operation: operation, code: rc, path: path, database: database, key: key)
        }
        return result
    }

    // MARK: Database handles

    /// Returns the handle of the named database for reading, or nil if it does not exist yet. A database that another
    /// process creates later is found by a later call, because absence is never cached.
    @inline(__always)
    func readHandle(_ name: String, slot: ReaderSlot) throws -> MDB_dbi? {
        if let dbi = slot.databases[name] {
            return dbi
        }
        return try resolveReadHandle(name, slot: slot)
    }

    private func resolveReadHandle(_ name: String, slot: ReaderSlot) throws -> MDB_dbi? {
        // Checking the main database in the thread's own snapshot keeps the lock off the path of a namespace
        // that does not exist yet, which every request may look up.
        let exists = try withSnapshot(slot) { txn in
            try withValue(txn: txn, database: mainDatabase, name: name, key: name) { _ in true } ?? false
        }
        guard exists, let dbi = try sharedHandle(name, create: false) else {
            return nil
        }
        slot.databases[name] = dbi
        return dbi
    }

    /// Returns the handle of the named database, opened once per process and cached; with `create`, a missing database
    /// is created in its own write transaction.
    func sharedHandle(_ name: String, create: Bool) throws -> MDB_dbi? {
        try databaseLock.withLock {
            if let dbi = databases[name] {
                return dbi
            }
            var txn: OpaquePointer?
            var rc = mdb_txn_begin(pointer, nil, create ? 0 : UInt32(MDB_RDONLY), &txn)
            guard rc == 0, let txn else {
                throw KVError(operation: "open database", code: rc, path: path, database: name)
            }
            var dbi: MDB_dbi = 0
            rc = mdb_dbi_open(txn, name, create ? UInt32(MDB_CREATE) : 0, &dbi)
            if rc == MDB_NOTFOUND {
                mdb_txn_abort(txn)
                return nil
            }
            guard rc == 0 else {
                mdb_txn_abort(txn)
                throw KVError(operation: "open database", code: rc, path: path, database: name)
            }
            // Committing, also for a read-only transaction, makes the handle usable by every transaction.
            rc = mdb_txn_commit(txn)
            guard rc == 0 else {
                throw KVError(operation: "open database", code: rc, path: path, database: name)
            }
            databases[name] = dbi
            return dbi
        }
    }

    // MARK: Single values

    /// Calls `body` with the value of `key` in `txn`, or returns nil if the key is absent.
    @inline(__always)
    func withValue<R>(
        txn: OpaquePointer, database dbi: MDB_dbi, name: String, key: String,
        _ body: (UnsafeRawBufferPointer) throws -> R
    ) throws -> R? {
        var key = key
        return try key.withUTF8 { keyBytes in
            var keyValue = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            var value = MDB_val()
            let rc = mdb_get(txn, dbi, &keyValue, &value)
            if rc == MDB_NOTFOUND {
                return nil
            }
            guard rc == 0 else {
                throw KVError(operation: "get", code: rc, path: path, database: name, key: String(decoding: keyBytes, as: UTF8.self))
            }
            return try body(UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size))
        }
    }
}
