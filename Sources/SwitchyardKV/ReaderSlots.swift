// Per-thread read transactions: each thread keeps one reset MDB_txn per environment and renews it per read.

internal import CLMDB
import Foundation

/// One thread's long-lived read-only transaction on one environment, plus that thread's copy of the database
/// handle cache. Only the owning thread touches `databases` and `busy`; `transaction` is also cleared under the
/// registry lock when the environment closes or the thread exits.
final class ReaderSlot {
    let environmentID: UInt64
    let registry: ReaderRegistry
    /// The reset (inactive) read transaction, or nil once the environment closed.
    var transaction: OpaquePointer?
    /// Database handles this thread already resolved, so a read takes no lock.
    var databases: [String: MDB_dbi] = [:]
    /// True while a read on this thread uses `transaction`; a nested read then uses a transaction of its own.
    var busy = false

    init(environmentID: UInt64, registry: ReaderRegistry, transaction: OpaquePointer) {
        self.environmentID = environmentID
        self.registry = registry
        self.transaction = transaction
    }
}

/// The slots of every thread on one environment, so that closing the environment can abort their transactions
/// and free their reader table entries first.
final class ReaderRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [ObjectIdentifier: ReaderSlot] = [:]
    private var closed = false

    /// Adds a slot; returns false if the environment already closed.
    func add(_ slot: ReaderSlot) -> Bool {
        lock.withLock {
            guard !closed else { return false }
            slots[ObjectIdentifier(slot)] = slot
            return true
        }
    }

    /// Aborts the slot's transaction, which frees its reader table entry (the environment uses MDB_NOTLS).
    func release(_ slot: ReaderSlot) {
        lock.withLock {
            if let transaction = slot.transaction {
                mdb_txn_abort(transaction)
                slot.transaction = nil
            }
            slots[ObjectIdentifier(slot)] = nil
        }
    }

    /// Returns true if the slot's transaction was aborted because the environment closed.
    func isReleased(_ slot: ReaderSlot) -> Bool {
        lock.withLock { slot.transaction == nil }
    }

    /// Aborts every slot's transaction before the environment closes; later `add` calls fail.
    func closeAll() {
        lock.withLock {
            closed = true
            for slot in slots.values {
                if let transaction = slot.transaction {
                    mdb_txn_abort(transaction)
                    slot.transaction = nil
                }
            }
            slots = [:]
        }
    }
}

/// The calling thread's slots, one per environment it has read from, stored under one process-wide pthread key.
///
/// One key for the whole process, rather than one per environment, means a closed environment never deletes a
/// key while another thread may still run its destructor, and keys are never exhausted by opening many stores.
final class ThreadReaders {
    var slots: [ReaderSlot] = []

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let result = pthread_key_create(&key) { pointer in
            guard let pointer else { return }
            let readers = Unmanaged<ThreadReaders>.fromOpaque(pointer).takeRetainedValue()
            for slot in readers.slots {
                slot.registry.release(slot)
            }
        }
        precondition(result == 0, "pthread_key_create failed with \(result): the process is out of thread keys")
        return key
    }()

    /// The calling thread's instance, created on first use and released when the thread exits.
    static var current: ThreadReaders {
        if let pointer = pthread_getspecific(key) {
            return Unmanaged<ThreadReaders>.fromOpaque(pointer).takeUnretainedValue()
        }
        let readers = ThreadReaders()
        pthread_setspecific(key, Unmanaged.passRetained(readers).toOpaque())
        return readers
    }

    /// Returns the slot for `environmentID`, or nil if this thread has none yet.
    @inline(__always)
    func slot(for environmentID: UInt64) -> ReaderSlot? {
        for slot in slots where slot.environmentID == environmentID {
            return slot
        }
        return nil
    }

    /// Adds a slot and drops slots of environments that have closed since.
    func add(_ slot: ReaderSlot) {
        slots.removeAll { $0.registry.isReleased($0) }
        slots.append(slot)
    }
}
