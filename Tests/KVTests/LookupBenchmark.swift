// A lookup benchmark over a million keys; it runs only with SWITCHYARD_KV_BENCHMARK=1 and asserts no timings.

import Foundation
import SwitchyardKV
import Testing

/// Measured on a 2-core Debian 12 VM with a release build of SwitchyardKV and uniformly random keys: about 1.1 µs
/// median per get, most of it in LMDB's B-tree search missing the CPU cache; a hot set of 1,000 keys took about
/// 0.4 µs and one repeated key about 0.25 µs. Debug builds, as `swift test` makes them, are about twice as slow.
@Suite struct LookupBenchmark {
    /// Prints the median and p99 time of `get` over batches of random keys in a store of one million keys.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SWITCHYARD_KV_BENCHMARK"] == "1"))
    func getFromMillionKeys() throws {
        let folder = try TemporaryFolder()
        let store = try LMDBStore(path: folder.path("bench"), mapSize: 1 << 31)
        let value = Array("{\"origin\":\"https://storefront.example.com\"}".utf8)
        for batch in 0..<100 {
            let pairs = (0..<10_000).map { (key: "storefront-\(batch * 10_000 + $0)", value: value) }
            try store.putAll(database: "ROUTING_CONFIG", pairs)
        }

        var generator = SystemRandomNumberGenerator()
        let keys = (0..<100_000).map { _ in "storefront-\(Int.random(in: 0..<1_000_000, using: &generator))" }
        var samples: [Double] = []
        var found = 0
        for round in 0..<10 {
            for batchStart in stride(from: 0, to: keys.count, by: 100) {
                let start = DispatchTime.now().uptimeNanoseconds
                for key in keys[batchStart..<batchStart + 100] {
                    found += try store.withValue(database: "ROUTING_CONFIG", key: key) { $0.count } ?? 0
                }
                let elapsed = DispatchTime.now().uptimeNanoseconds - start
                if round > 0 {
                    samples.append(Double(elapsed) / 100)
                }
            }
        }
        samples.sort()

        #expect(found == 10 * keys.count * value.count)
        let median = samples[samples.count / 2]
        let p99 = samples[samples.count * 99 / 100]
        print("LMDBStore.withValue, 1,000,000 keys: median \(Int(median)) ns, p99 \(Int(p99)) ns per get (batches of 100)")
    }
}
