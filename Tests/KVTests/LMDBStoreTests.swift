// Tests of LMDBStore against real LMDB environments in temporary folders.

import Foundation
import SwitchyardKV
import Testing

/// A temporary folder removed when the value is deinitialised.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("kvtests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ component: String) -> String {
        url.appendingPathComponent(component).path
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}

private func bytes(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

@Suite struct LMDBStoreTests {
    let folder: TemporaryFolder
    let store: LMDBStore

    init() throws {
        folder = try TemporaryFolder()
        store = try LMDBStore(path: folder.path("store"))
    }

    @Test func putGetDeleteRoundTrip() throws {
        try store.put(database: "ROUTES", key: "storeA", value: bytes("{\"origin\":\"https://a.example\"}"))

        #expect(try store.get(database: "ROUTES", key: "storeA") == bytes("{\"origin\":\"https://a.example\"}"))
        #expect(try store.get(database: "ROUTES", key: "storeB") == nil)
        #expect(try store.get(database: "OTHER", key: "storeA") == nil)

        #expect(try store.delete(database: "ROUTES", key: "storeA"))
        #expect(try store.get(database: "ROUTES", key: "storeA") == nil)
        #expect(try store.delete(database: "ROUTES", key: "storeA") == false)
        #expect(try store.delete(database: "MISSING", key: "storeA") == false)
    }

    @Test func putOverwritesValue() throws {
        try store.put(database: "ROUTES", key: "k", value: bytes("one"))
        try store.put(database: "ROUTES", key: "k", value: bytes("two"))

        #expect(try store.get(database: "ROUTES", key: "k") == bytes("two"))
    }

    @Test func emptyValueIsStored() throws {
        try store.put(database: "ROUTES", key: "k", value: [])

        #expect(try store.get(database: "ROUTES", key: "k") == [])
    }

    @Test func withValueReadsWithoutCopy() throws {
        try store.put(database: "ROUTES", key: "k", value: bytes("hello"))

        let count = try store.withValue(database: "ROUTES", key: "k") { $0.count }
        let absent = try store.withValue(database: "ROUTES", key: "nope") { $0.count }

        #expect(count == 5)
        #expect(absent == nil)
    }

    @Test func nestedReadsOnOneThread() throws {
        try store.put(database: "ROUTES", key: "outer", value: bytes("1"))
        try store.put(database: "ROUTES", key: "inner", value: bytes("2"))

        let pair = try store.withValue(database: "ROUTES", key: "outer") { outer in
            let inner = try store.get(database: "ROUTES", key: "inner")
            let listed = try store.list(database: "ROUTES")
            return (Array(outer), inner, listed.count)
        }

        #expect(pair?.0 == bytes("1"))
        #expect(pair?.1 == bytes("2"))
        #expect(pair?.2 == 2)
    }

    @Test func listFiltersByPrefixInKeyOrder() throws {
        for key in ["b/2", "a/1", "b/1", "c", "b/3", "bz"] {
            try store.put(database: "NS", key: key, value: bytes("v-\(key)"))
        }

        let all = try store.list(database: "NS")
        let underB = try store.list(database: "NS", prefix: "b/")
        let limited = try store.list(database: "NS", prefix: "b", limit: 2)
        let none = try store.list(database: "NS", prefix: "zz")
        let missing = try store.list(database: "NOPE")

        #expect(all.map(\.key) == ["a/1", "b/1", "b/2", "b/3", "bz", "c"])
        #expect(underB.map(\.key) == ["b/1", "b/2", "b/3"])
        #expect(underB.map(\.value) == [bytes("v-b/1"), bytes("v-b/2"), bytes("v-b/3")])
        #expect(limited.map(\.key) == ["b/1", "b/2"])
        #expect(none.isEmpty)
        #expect(missing.isEmpty)
    }

    @Test func bulkPutWritesAllPairs() throws {
        let pairs = (0..<100).map { (key: "key\($0)", value: bytes("value\($0)")) }

        try store.putAll(database: "BULK", pairs)

        #expect(try store.list(database: "BULK").count == 100)
        #expect(try store.get(database: "BULK", key: "key42") == bytes("value42"))
    }

    @Test func bulkPutWithInvalidKeyWritesNothing() throws {
        let pairs = [(key: "good", value: bytes("1")), (key: String(repeating: "x", count: 600), value: bytes("2"))]

        #expect(throws: KVError.self) {
            try store.putAll(database: "BULK", pairs)
        }
        #expect(try store.get(database: "BULK", key: "good") == nil)
    }

    @Test func bulkPutFailingInsideTransactionWritesNothing() throws {
        // 1 MiB map, 4 MiB of values: LMDB fails with MDB_MAP_FULL part-way through the transaction.
        let small = try LMDBStore(path: folder.path("small"), mapSize: 1 << 20)
        try small.put(database: "BULK", key: "before", value: bytes("kept"))
        let big = [UInt8](repeating: 7, count: 64 * 1024)
        let pairs = (0..<64).map { (key: "big\($0)", value: big) }

        let error = #expect(throws: KVError.self) {
            try small.putAll(database: "BULK", pairs)
        }

        #expect(error?.description.contains("mapSize") == true)
        #expect(try small.get(database: "BULK", key: "big0") == nil)
        #expect(try small.list(database: "BULK").map(\.key) == ["before"])
    }

    @Test func writeBySecondInstanceIsVisibleToNextRead() throws {
        let path = folder.path("shared")
        let reader = try LMDBStore(path: path)
        #expect(try reader.get(database: "ROUTES", key: "k") == nil)

        let writer = try LMDBStore(path: path)
        try writer.put(database: "ROUTES", key: "k", value: bytes("first"))
        #expect(try reader.get(database: "ROUTES", key: "k") == bytes("first"))

        try writer.put(database: "ROUTES", key: "k", value: bytes("second"))
        #expect(try reader.get(database: "ROUTES", key: "k") == bytes("second"))

        try writer.delete(database: "ROUTES", key: "k")
        #expect(try reader.get(database: "ROUTES", key: "k") == nil)
    }

    @Test func concurrentReadsSeeConsistentValues() throws {
        let keys = (0..<200).map { "store\($0)" }
        try store.putAll(database: "ROUTES", keys.map { (key: $0, value: bytes("origin-\($0)")) })
        let mismatches = Counter()

        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for round in 0..<500 {
                let key = keys[(worker * 31 + round) % keys.count]
                let value = try? store.get(database: "ROUTES", key: key)
                if value != bytes("origin-\(key)") {
                    mismatches.increment()
                }
            }
        }

        #expect(mismatches.value == 0)
    }

    @Test func readsDuringWritesSeeCommittedValues() throws {
        try store.put(database: "ROUTES", key: "k", value: bytes("0"))
        let invalid = Counter()

        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for round in 1...200 {
                if worker == 0 {
                    try? store.put(database: "ROUTES", key: "k", value: bytes(String(round)))
                    continue
                }
                let text = (try? store.get(database: "ROUTES", key: "k")).flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) }
                if text.flatMap(Int.init) == nil {
                    invalid.increment()
                }
            }
        }

        #expect(invalid.value == 0)
        #expect(try store.get(database: "ROUTES", key: "k") == bytes("200"))
    }

    @Test func keyLongerThan511BytesIsRejected() throws {
        let longKey = String(repeating: "k", count: 512)

        let error = #expect(throws: KVError.self) {
            try store.put(database: "ROUTES", key: longKey, value: bytes("v"))
        }
        #expect(error?.description.contains("512 bytes") == true)
        #expect(error?.description.contains("at most 511") == true)
        #expect(throws: KVError.self) {
            try store.get(database: "ROUTES", key: longKey)
        }

        try store.put(database: "ROUTES", key: String(repeating: "k", count: 511), value: bytes("v"))
        #expect(store.maxKeySize == 511)
    }

    @Test func emptyKeyIsRejected() throws {
        let error = #expect(throws: KVError.self) {
            try store.put(database: "ROUTES", key: "", value: bytes("v"))
        }
        #expect(error?.description.contains("empty") == true)
    }

    @Test func readOnlyMissingPathErrorNamesPath() throws {
        let path = folder.path("does-not-exist")

        let error = #expect(throws: KVError.self) {
            _ = try LMDBStore(path: path, readOnly: true)
        }

        #expect(error?.description.contains(path) == true)
        #expect(error?.description.contains("not found") == true)
        #expect(FileManager.default.fileExists(atPath: path) == false)
    }

    @Test func readOnlyStoreRejectsWrites() throws {
        let path = folder.path("readonly")
        try LMDBStore(path: path).put(database: "ROUTES", key: "k", value: bytes("v"))

        let readOnly = try LMDBStore(path: path, readOnly: true)

        #expect(try readOnly.get(database: "ROUTES", key: "k") == bytes("v"))
        #expect(throws: KVError.self) {
            try readOnly.put(database: "ROUTES", key: "k", value: bytes("w"))
        }
    }

    @Test func pathThatIsAFileIsRejected() throws {
        let path = folder.path("file")
        _ = FileManager.default.createFile(atPath: path, contents: Data("x".utf8))

        let error = #expect(throws: KVError.self) {
            _ = try LMDBStore(path: path)
        }
        #expect(error?.description.contains(path) == true)
    }

    @Test func exitedThreadsFreeReaderSlots() throws {
        // More threads than the reader table has entries (1024): leaked slots would fail with MDB_READERS_FULL.
        try store.put(database: "ROUTES", key: "k", value: bytes("v"))
        let failures = Counter()

        for _ in 0..<1100 {
            let done = DispatchSemaphore(value: 0)
            let thread = Thread { [store] in
                if (try? store.get(database: "ROUTES", key: "k")) != bytes("v") {
                    failures.increment()
                }
                done.signal()
            }
            thread.start()
            done.wait()
        }

        #expect(failures.value == 0)
    }

    @Test func storeReopensAfterClose() throws {
        let path = folder.path("reopen")
        do {
            let first = try LMDBStore(path: path)
            try first.put(database: "ROUTES", key: "k", value: bytes("v"))
            _ = try first.get(database: "ROUTES", key: "k")
        }

        let second = try LMDBStore(path: path)

        #expect(try second.get(database: "ROUTES", key: "k") == bytes("v"))
    }
}

/// A thread-safe counter for failures seen on worker threads.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func increment() {
        lock.withLock { count += 1 }
    }

    var value: Int {
        lock.withLock { count }
    }
}
