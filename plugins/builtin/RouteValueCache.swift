// A per-thread cache of parsed routing values, keyed by the exact stored bytes.

import Glibc

/// Parsed routing values of recent lookups on the calling thread. An entry is used only when the bytes just read
/// from the store equal the bytes it was parsed from, so a `kv put` takes effect on the next request.
///
/// Threading: each thread gets its own cache through a POSIX thread-specific key, so lookups take no lock; the
/// cache is released when its thread exits. Cost: a hash of the storefront id and one `memcmp` of the value per
/// hit. Memory: at most `slotCount` values of up to `maxValueBytes` each, with their parsed strings, per thread.
final class RouteValueCache {
    static let slotCount = 64
    /// Longer values are parsed on every request and not kept, which bounds the cache's memory.
    static let maxValueBytes = 1024

    /// A class, so that a hit retains one object rather than each of the value's strings.
    private final class Entry {
        let stored: [UInt8]
        let value: RouteValue

        init(stored: [UInt8], value: RouteValue) {
            self.stored = stored
            self.value = value
        }
    }

    private var slots = [Entry?](repeating: nil, count: slotCount)

    /// Returns the parsed value of `stored`, which was read under `key`, parsing it when the slot for `key` contains
    /// other bytes. Throws what `RouteValue.parse` throws; failures are not cached.
    func value(for stored: [UInt8], key: String) throws -> RouteValue {
        let slot = Self.slot(for: key)
        if let entry = slots[slot], Self.bytesEqual(entry.stored, stored) {
            return entry.value
        }
        let value = try RouteValue.parse(stored)
        if stored.count <= Self.maxValueBytes {
            slots[slot] = Entry(stored: stored, value: value)
        }
        return value
    }

    /// Computes the slot for `key` with FNV-1a over its UTF-8 bytes.
    private static func slot(for key: String) -> Int {
        var hash: UInt32 = 2_166_136_261
        for byte in key.utf8 {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        return Int(hash % UInt32(slotCount))
    }

    private static func bytesEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.withUnsafeBytes { left in
            rhs.withUnsafeBytes { right in
                guard let leftBase = left.baseAddress, let rightBase = right.baseAddress else { return true }
                return memcmp(leftBase, rightBase, left.count) == 0
            }
        }
    }

    /// The thread-specific key, or nil when the system has no key left; then every lookup parses.
    private static let threadKey: pthread_key_t? = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { pointer in
            guard let pointer else { return }
            Unmanaged<RouteValueCache>.fromOpaque(pointer).release()
        }
        return status == 0 ? key : nil
    }()

    /// Returns the calling thread's cache, created on first use, or nil when no thread-specific storage is available.
    static func forCurrentThread() -> RouteValueCache? {
        guard let threadKey else { return nil }
        if let pointer = pthread_getspecific(threadKey) {
            return Unmanaged<RouteValueCache>.fromOpaque(pointer).takeUnretainedValue()
        }
        let cache = RouteValueCache()
        let retained = Unmanaged.passRetained(cache)
        guard pthread_setspecific(threadKey, retained.toOpaque()) == 0 else {
            retained.release()
            return nil
        }
        return cache
    }
}
