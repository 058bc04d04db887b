// Shared test doubles and builders: an in-memory key-value store, a capturing log sink and request contexts.

import Foundation
import Synchronization
import SwitchyardPlugin

/// TEST DOUBLE: an in-memory `KeyValueAccess`. These unit tests check the middleware logic only; the gateway's
/// integration tests run the same middleware against the real LMDB store.
final class InMemoryKeyValue: KeyValueAccess, @unchecked Sendable {
    struct StoreFailure: Error, CustomStringConvertible {
        var description: String { "disk I/O error" }
    }

    let namespaces: [String]
    var values: [String: [UInt8]] = [:]
    var failing = false

    init(namespaces: [String] = ["ROUTING_CONFIG"], values: [String: String] = [:]) {
        self.namespaces = namespaces
        self.values = values.mapValues { Array($0.utf8) }
    }

    func get(namespace: String, key: String) throws -> [UInt8]? {
        if failing {
            throw StoreFailure()
        }
        return values[key]
    }
}

/// A log sink that keeps every record for inspection.
final class CapturingLogSink: LogSink {
    struct Record {
        var level: LogLevel
        var message: String
        var metadata: [String: String]
    }

    private let storage = Mutex<[Record]>([])

    var records: [Record] { storage.withLock { $0 } }

    func write(level: LogLevel, message: String, metadata: [String: String]) {
        storage.withLock { $0.append(Record(level: level, message: message, metadata: metadata)) }
    }
}

func makeOptions(_ values: [String: Any], keyPath: String = "middleware[1]") -> MiddlewareOptions {
    MiddlewareOptions(values: values, keyPath: keyPath)
}

func makeEnvironment(
    keyValue: KeyValueAccess = InMemoryKeyValue(), directory: URL = FileManager.default.temporaryDirectory,
    sink: LogSink? = nil
) -> PluginEnvironment {
    PluginEnvironment(configDirectory: directory, keyValue: keyValue, logger: Logger(level: .debug, sink: sink))
}

func makeContext(
    method: String = "GET", target: String = "/", headers: HTTPHeaders = [:],
    keyValue: KeyValueAccess = InMemoryKeyValue(), sink: LogSink? = nil, startTime: Date = Date()
) -> RequestContext {
    RequestContext(
        requestID: "req-1", clientAddress: "192.0.2.7", clientPort: 50000, isTLS: true, serverName: nil,
        request: RequestHead(method: method, target: target, headers: headers), startTime: startTime,
        keyValue: keyValue, logger: Logger(level: .debug, sink: sink))
}

/// Runs `body` and returns the ConfigurationError it threw, or nil.
func configurationError(_ body: () throws -> Void) -> ConfigurationError? {
    do {
        try body()
        return nil
    } catch let error as ConfigurationError {
        return error
    } catch {
        return nil
    }
}

/// A temporary folder removed when the value is released.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("builtin-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}
