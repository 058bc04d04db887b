// Tests of ConfigurationLoader, KeyValueNamespaces and MiddlewareChain against files in temporary folders.

import Foundation
import SwitchyardGateway
import SwitchyardKV
import SwitchyardPlugin
import Testing

/// A temporary folder with helpers to write files into it; removed on deinit.
final class ConfigFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("configtests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The canonical path of `relative` inside the folder.
    func path(_ relative: String) -> String {
        url.appendingPathComponent(relative).standardizedFileURL.path
    }

    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}

/// The configuration shape from the gateway's documentation, with a comment as operators write them.
let documentedConfiguration = """
    {
      // The storefront gateway.
      "listen": [ { "address": "127.0.0.1:8443",
                    "tls": { "certificates": [ { "cert": "cert.pem", "key": "key.pem" } ] } } ],
      "kv": { "ROUTING_CONFIG": { "backend": "lmdb", "path": "data/routing" } },
      "middleware": [
        { "use": "routing-lookup", "namespace": "ROUTING_CONFIG" },
        { "use": "header-injection",
          "response": { "set": { "X-Served-By": "Switchyard", "X-Storefront-ID": "${storefront_id}" } } },
        { "use": "access-log", "format": "json", "path": "access.log" },
        { "use": "gzip" }
      ]
    }
    """

@Suite struct ConfigurationLoaderTests {
    let folder: ConfigFolder

    init() throws {
        folder = try ConfigFolder()
        try folder.write("cert.pem", "certificate")
        try folder.write("key.pem", "key")
    }

    @Test func documentedShapeLoads() throws {
        let path = try folder.write("switchyard.json", documentedConfiguration)

        let configuration = try ConfigurationLoader.load(path: path)

        #expect(configuration.listeners.count == 1)
        #expect(configuration.listeners.first?.host == "127.0.0.1")
        #expect(configuration.listeners.first?.port == 8443)
        #expect(configuration.listeners.first?.tls?.certificates.first?.cert == folder.path("cert.pem"))
        #expect(configuration.listeners.first?.tls?.certificates.first?.key == folder.path("key.pem"))
        #expect(configuration.listeners.first?.tls?.minVersion == "1.2")
        #expect(configuration.namespaces == [.init(name: "ROUTING_CONFIG", path: folder.path("data/routing"), mapSize: 1 << 30)])
        #expect(configuration.middleware.map(\.use) == ["routing-lookup", "header-injection", "access-log", "gzip"])
        #expect(configuration.middleware.map(\.keyPath) == ["middleware[0]", "middleware[1]", "middleware[2]", "middleware[3]"])
        #expect(configuration.middleware[0].options["namespace"] as? String == "ROUTING_CONFIG")
        #expect(configuration.middleware[0].options["use"] == nil)
        let response = configuration.middleware[1].options["response"] as? [String: Any]
        let set = response?["set"] as? [String: Any]
        #expect(set?["X-Storefront-ID"] as? String == "${storefront_id}")
        #expect(configuration.middleware[3].options.isEmpty)
        #expect(configuration.directory.standardizedFileURL.path == folder.url.standardizedFileURL.path)
    }

    @Test func defaultsApplyWhenKeysAreAbsent() throws {
        let path = try folder.write("plain.json", #"{"listen": [{"address": "0.0.0.0:8080"}]}"#)

        let configuration = try ConfigurationLoader.load(path: path)

        #expect(configuration.listeners == [.init(host: "0.0.0.0", port: 8080, tls: nil)])
        #expect(configuration.workers == min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 256))
        #expect(configuration.limits == GatewayConfiguration.Limits())
        #expect(configuration.timeouts == GatewayConfiguration.Timeouts())
        #expect(configuration.redirect == "pass")
        #expect(configuration.logLevel == "info")
        #expect(configuration.viaName == "switchyard")
        #expect(configuration.namespaces.isEmpty)
        #expect(configuration.middleware.isEmpty)
        #expect(configuration.plugins.isEmpty)
    }

    @Test func optionalSettingsLoad() throws {
        try folder.write("plugins/libExample.so", "")
        let path = try folder.write("full.json", """
            {
              listen: [{"address": "[::1]:0", "tls": {"certificates": [{"cert": "cert.pem", "key": "key.pem"}], "minVersion": "1.3"}},],
              "workers": 3,
              "limits": {"maxRequestLineBytes": 4096, "maxHeaderBytes": 16384, "maxHeaderCount": 50, "maxBodyBytes": 0,
                         "maxResponseHeaderBytes": 8192, "maxConnections": 100},
              "timeouts": {"requestHeader": 1.5, "requestBody": 2, "keepAlive": 3, "tlsHandshake": 4, "upstreamConnect": 5,
                           "upstreamRead": 6, "upstreamIdle": 7, "shutdownGrace": 8, "send": 9},
              "upstreamPoolSize": 0,
              "redirect": "follow",
              "logLevel": "DEBUG",
              "viaName": "edge-1",
              "plugins": ["plugins/libExample.so"],
              "kv": {"A": {"backend": "lmdb", "path": "/tmp/shared-kv", "mapSize": 2097152}},
            }
            """)

        let configuration = try ConfigurationLoader.load(path: path)

        #expect(configuration.listeners == [.init(host: "::1", port: 0, tls: .init(
            certificates: [.init(cert: folder.path("cert.pem"), key: folder.path("key.pem"))], minVersion: "1.3"))])
        #expect(configuration.workers == 3)
        #expect(configuration.limits.maxRequestLineBytes == 4096)
        #expect(configuration.limits.maxHeaderBytes == 16384)
        #expect(configuration.limits.maxHeaderCount == 50)
        #expect(configuration.limits.maxBodyBytes == 0)
        #expect(configuration.limits.maxResponseHeaderBytes == 8192)
        #expect(configuration.limits.maxConnections == 100)
        #expect(configuration.timeouts.requestHeader == 1.5)
        #expect(configuration.timeouts.send == 9)
        #expect(configuration.timeouts.shutdownGrace == 8)
        #expect(configuration.upstreamPoolSize == 0)
        #expect(configuration.redirect == "follow")
        #expect(configuration.logLevel == "debug")
        #expect(configuration.viaName == "edge-1")
        #expect(configuration.plugins == [folder.path("plugins/libExample.so")])
        #expect(configuration.namespaces == [.init(name: "A", path: "/tmp/shared-kv", mapSize: 2_097_152)])
    }

    @Test func relativePathsResolveAgainstConfigFolder() throws {
        try folder.write("certs/site.crt", "certificate")
        let absoluteKey = folder.path("key.pem")
        let path = try folder.write("etc/gateway.json", """
            {
              "listen": [{"address": "127.0.0.1:8443",
                          "tls": {"certificates": [{"cert": "../certs/site.crt", "key": "\(absoluteKey)"}]}}],
              "kv": {"ROUTES": {"backend": "lmdb", "path": "./data/../routes"}}
            }
            """)

        let configuration = try ConfigurationLoader.load(path: path)

        #expect(configuration.listeners.first?.tls?.certificates.first?.cert == folder.path("certs/site.crt"))
        #expect(configuration.listeners.first?.tls?.certificates.first?.key == absoluteKey)
        #expect(configuration.namespaces.first?.path == folder.path("etc/routes"))
        #expect(configuration.directory.standardizedFileURL.path == folder.path("etc"))
    }

    @Test func missingFileErrorNamesPath() throws {
        let path = folder.path("absent.json")

        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(path: path)
        }

        #expect(error?.key == path)
        #expect(error?.message.contains("not found") == true)
    }

    @Test func everyErrorIsReported() throws {
        let path = try folder.write("bad.json", #"{"listen": [{"address": "nope"}], "workers": 0, "redirect": 1, "extra": true}"#)

        let result = ConfigurationLoader.loadReportingAllErrors(path: path)

        #expect(result.configuration == nil)
        #expect(Set(result.errors.map(\.key)) == ["listen[0].address", "workers", "redirect", "extra"])
    }

    @Test func middlewareOptionsKeepJSONTypes() throws {
        let path = try folder.write("types.json", """
            {"listen": [{"address": "127.0.0.1:80"}],
             "middleware": [{"use": "x", "flag": true, "count": 3, "ratio": 0.5, "list": ["a", 1], "none": null}]}
            """)

        let entry = try #require(try ConfigurationLoader.load(path: path).middleware.first)
        let options = MiddlewareOptions(values: entry.options, keyPath: entry.keyPath)
        let text = String(decoding: options.json, as: UTF8.self)

        #expect(text == #"{"count":3,"flag":true,"list":["a",1],"none":null,"ratio":0.5}"#)
    }

    @Test func loadNamespacesIgnoresListeners() throws {
        let path = try folder.write("kv-only.json", #"{"kv": {"R": {"backend": "lmdb", "path": "r"}}}"#)

        let (namespaces, directory) = try ConfigurationLoader.loadNamespaces(path: path)

        #expect(namespaces.map(\.name) == ["R"])
        #expect(namespaces.first?.path == folder.path("r"))
        #expect(directory.standardizedFileURL.path == folder.url.standardizedFileURL.path)
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(path: path)
        }
    }

    /// One invalid configuration and the key path its error must name.
    struct InvalidCase: Sendable, CustomTestStringConvertible {
        let name: String
        let json: String
        let key: String
        var messageFragment: String = ""

        var testDescription: String { name }
    }

    static let listen = #""listen": [{"address": "127.0.0.1:8080"}]"#

    static let invalidCases: [InvalidCase] = [
        InvalidCase(name: "unknown top-level key", json: #"{\#(listen), "listn": []}"#, key: "listn", messageFragment: "known keys: listen"),
        InvalidCase(name: "listen missing", json: "{}", key: "listen"),
        InvalidCase(name: "listen empty", json: #"{"listen": []}"#, key: "listen"),
        InvalidCase(name: "listen not array", json: #"{"listen": {"address": "127.0.0.1:80"}}"#, key: "listen"),
        InvalidCase(name: "listener unknown key", json: #"{"listen": [{"address": "127.0.0.1:80", "port": 1}]}"#, key: "listen[0].port"),
        InvalidCase(name: "address missing", json: #"{"listen": [{}]}"#, key: "listen[0].address"),
        InvalidCase(name: "address number", json: #"{"listen": [{"address": 8080}]}"#, key: "listen[0].address"),
        InvalidCase(name: "address without port", json: #"{"listen": [{"address": "127.0.0.1"}]}"#, key: "listen[0].address"),
        InvalidCase(name: "port out of range", json: #"{"listen": [{"address": "127.0.0.1:70000"}]}"#, key: "listen[0].address", messageFragment: "70000"),
        InvalidCase(name: "port not numeric", json: #"{"listen": [{"address": "127.0.0.1:http"}]}"#, key: "listen[0].address"),
        InvalidCase(name: "ipv6 without brackets", json: #"{"listen": [{"address": "::1:8080"}]}"#, key: "listen[0].address", messageFragment: "brackets"),
        InvalidCase(name: "ipv6 bracket unclosed", json: #"{"listen": [{"address": "[::1:8080"}]}"#, key: "listen[0].address"),
        InvalidCase(name: "host name", json: #"{"listen": [{"address": "localhost:8080"}]}"#, key: "listen[0].address"),
        InvalidCase(name: "duplicate listener", json: #"{"listen": [{"address": "127.0.0.1:80"}, {"address": "127.0.0.1:80"}]}"#, key: "listen[1].address"),
        InvalidCase(name: "cert file missing", json: #"{"listen": [{"address": "127.0.0.1:443", "tls": {"certificates": [{"cert": "missing.pem", "key": "key.pem"}]}}]}"#, key: "listen[0].tls.certificates[0].cert", messageFragment: "missing.pem"),
        InvalidCase(name: "key file missing", json: #"{"listen": [{"address": "127.0.0.1:443", "tls": {"certificates": [{"cert": "cert.pem", "key": "nokey.pem"}]}}]}"#, key: "listen[0].tls.certificates[0].key", messageFragment: "nokey.pem"),
        InvalidCase(name: "cert key absent", json: #"{"listen": [{"address": "127.0.0.1:443", "tls": {"certificates": [{"key": "key.pem"}]}}]}"#, key: "listen[0].tls.certificates[0].cert"),
        InvalidCase(name: "certificates empty", json: #"{"listen": [{"address": "127.0.0.1:443", "tls": {"certificates": []}}]}"#, key: "listen[0].tls.certificates"),
        InvalidCase(name: "certificates missing", json: #"{"listen": [{"address": "127.0.0.1:443", "tls": {}}]}"#, key: "listen[0].tls.certificates"),
        InvalidCase(name: "tls min version", json: #"{"listen": [{"address": "127.0.0.1:443", "tls": {"certificates": [{"cert": "cert.pem", "key": "key.pem"}], "minVersion": "1.1"}}]}"#, key: "listen[0].tls.minVersion"),
        InvalidCase(name: "kv not object", json: #"{\#(listen), "kv": []}"#, key: "kv"),
        InvalidCase(name: "kv backend", json: #"{\#(listen), "kv": {"R": {"backend": "redis", "path": "r"}}}"#, key: "kv.R.backend", messageFragment: "lmdb"),
        InvalidCase(name: "kv backend missing", json: #"{\#(listen), "kv": {"R": {"path": "r"}}}"#, key: "kv.R.backend"),
        InvalidCase(name: "kv path missing", json: #"{\#(listen), "kv": {"R": {"backend": "lmdb"}}}"#, key: "kv.R.path"),
        InvalidCase(name: "kv path is file", json: #"{\#(listen), "kv": {"R": {"backend": "lmdb", "path": "cert.pem"}}}"#, key: "kv.R.path"),
        InvalidCase(name: "kv map size zero", json: #"{\#(listen), "kv": {"R": {"backend": "lmdb", "path": "r", "mapSize": 0}}}"#, key: "kv.R.mapSize"),
        InvalidCase(name: "kv namespace name", json: #"{\#(listen), "kv": {"a b": {"backend": "lmdb", "path": "r"}}}"#, key: "kv.a b"),
        InvalidCase(name: "kv shared path map sizes", json: #"{\#(listen), "kv": {"A": {"backend": "lmdb", "path": "r"}, "B": {"backend": "lmdb", "path": "r", "mapSize": 2097152}}}"#, key: "kv.B.mapSize"),
        InvalidCase(name: "middleware not array", json: #"{\#(listen), "middleware": {"use": "gzip"}}"#, key: "middleware"),
        InvalidCase(name: "middleware entry not object", json: #"{\#(listen), "middleware": ["gzip"]}"#, key: "middleware[0]"),
        InvalidCase(name: "middleware without use", json: #"{\#(listen), "middleware": [{"use": "gzip"}, {"format": "json"}]}"#, key: "middleware[1].use"),
        InvalidCase(name: "middleware use empty", json: #"{\#(listen), "middleware": [{"use": ""}]}"#, key: "middleware[0].use"),
        InvalidCase(name: "workers zero", json: #"{\#(listen), "workers": 0}"#, key: "workers"),
        InvalidCase(name: "workers too many", json: #"{\#(listen), "workers": 257}"#, key: "workers"),
        InvalidCase(name: "workers string", json: #"{\#(listen), "workers": "4"}"#, key: "workers"),
        InvalidCase(name: "workers boolean", json: #"{\#(listen), "workers": true}"#, key: "workers"),
        InvalidCase(name: "workers fraction", json: #"{\#(listen), "workers": 1.5}"#, key: "workers"),
        InvalidCase(name: "limit zero", json: #"{\#(listen), "limits": {"maxHeaderBytes": 0}}"#, key: "limits.maxHeaderBytes"),
        InvalidCase(name: "limit negative", json: #"{\#(listen), "limits": {"maxConnections": -1}}"#, key: "limits.maxConnections"),
        InvalidCase(name: "body limit negative", json: #"{\#(listen), "limits": {"maxBodyBytes": -1}}"#, key: "limits.maxBodyBytes"),
        InvalidCase(name: "limit unknown", json: #"{\#(listen), "limits": {"maxBody": 1}}"#, key: "limits.maxBody"),
        InvalidCase(name: "request line above head", json: #"{\#(listen), "limits": {"maxRequestLineBytes": 9000, "maxHeaderBytes": 8000}}"#, key: "limits.maxRequestLineBytes"),
        InvalidCase(name: "timeout zero", json: #"{\#(listen), "timeouts": {"keepAlive": 0}}"#, key: "timeouts.keepAlive"),
        InvalidCase(name: "timeout negative", json: #"{\#(listen), "timeouts": {"upstreamRead": -5}}"#, key: "timeouts.upstreamRead"),
        InvalidCase(name: "timeout string", json: #"{\#(listen), "timeouts": {"send": "10"}}"#, key: "timeouts.send"),
        InvalidCase(name: "timeout unknown", json: #"{\#(listen), "timeouts": {"idle": 10}}"#, key: "timeouts.idle"),
        InvalidCase(name: "pool size negative", json: #"{\#(listen), "upstreamPoolSize": -1}"#, key: "upstreamPoolSize"),
        InvalidCase(name: "redirect value", json: #"{\#(listen), "redirect": "sometimes"}"#, key: "redirect"),
        InvalidCase(name: "log level", json: #"{\#(listen), "logLevel": "loud"}"#, key: "logLevel"),
        InvalidCase(name: "via name", json: #"{\#(listen), "viaName": "two words"}"#, key: "viaName"),
        InvalidCase(name: "plugin missing", json: #"{\#(listen), "plugins": ["libNone.so"]}"#, key: "plugins[0]"),
        InvalidCase(name: "plugins not array", json: #"{\#(listen), "plugins": "libNone.so"}"#, key: "plugins"),
    ]

    @Test(arguments: invalidCases)
    func invalidConfigurationNamesKey(_ invalid: InvalidCase) throws {
        let path = try folder.write("invalid.json", invalid.json)

        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(path: path)
        }

        #expect(error?.key == invalid.key, "\(error?.description ?? "no error")")
        if !invalid.messageFragment.isEmpty {
            #expect(error?.message.contains(invalid.messageFragment) == true, "\(error?.description ?? "no error")")
        }
    }

    @Test(arguments: ["{\"listen\": [", "not json", "", "{\"a\": 1 \"b\": 2}"])
    func invalidJSONNamesFile(_ text: String) throws {
        let path = try folder.write("broken.json", text)

        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(path: path)
        }

        #expect(error?.key == path)
        #expect(error?.message.contains("not valid JSON") == true)
    }

    @Test func rootMustBeObject() throws {
        let path = try folder.write("array.json", "[1, 2]")

        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(path: path)
        }

        #expect(error?.key == path)
        #expect(error?.message.contains("an array") == true)
    }
}

// MARK: - Namespaces and the middleware chain

@Suite struct KeyValueNamespacesTests {
    @Test func namespacesInOneFolderShareStore() throws {
        let folder = try ConfigFolder()
        let namespaces = try KeyValueNamespaces([
            .init(name: "A", path: folder.path("kv")), .init(name: "B", path: folder.path("kv")),
            .init(name: "C", path: folder.path("other")),
        ])

        let a = try #require(namespaces.store(for: "A"))
        let b = try #require(namespaces.store(for: "B"))
        let c = try #require(namespaces.store(for: "C"))
        try a.0.put(database: a.database, key: "k", value: Array("from A".utf8))

        #expect(a.0 === b.0)
        #expect(a.0 !== c.0)
        #expect(a.database == "A")
        #expect(namespaces.namespaces == ["A", "B", "C"])
        #expect(try namespaces.get(namespace: "A", key: "k") == Array("from A".utf8))
        #expect(try namespaces.get(namespace: "B", key: "k") == nil)
        #expect(namespaces.store(for: "D") == nil)
    }

    @Test func unknownNamespaceThrows() throws {
        let folder = try ConfigFolder()
        let namespaces = try KeyValueNamespaces([.init(name: "ROUTING_CONFIG", path: folder.path("kv"))])

        let error = #expect(throws: UnknownNamespaceError.self) {
            try namespaces.get(namespace: "ROUTES", key: "k")
        }

        #expect(error?.description.contains("ROUTING_CONFIG") == true)
    }

    @Test func unopenableStoreNamesNamespaceKey() throws {
        let folder = try ConfigFolder()
        let file = try folder.write("file", "x")

        let error = #expect(throws: ConfigurationError.self) {
            _ = try KeyValueNamespaces([.init(name: "R", path: file)])
        }

        #expect(error?.key == "kv.R.path")
    }
}

/// A middleware that records nothing and declares the phases it is given.
final class PhaseMiddleware: Middleware {
    let phases: MiddlewarePhases

    init(_ phases: MiddlewarePhases) {
        self.phases = phases
    }
}

struct FactoryFailure: Error, CustomStringConvertible {
    var description: String { "disk on fire" }
}

@Suite struct MiddlewareChainTests {
    let folder: ConfigFolder
    let registry = MiddlewareRegistry()

    init() throws {
        folder = try ConfigFolder()
        try registry.register(name: "head", version: "1") { _, _ in PhaseMiddleware([.requestHead, .logging]) }
        try registry.register(name: "select", version: "1") { _, _ in PhaseMiddleware(.upstreamSelection) }
        try registry.register(name: "edit", version: "1") { _, _ in PhaseMiddleware([.upstreamRequest, .responseHead]) }
        try registry.register(name: "strict", version: "1") { options, _ in
            try options.rejectUnknownKeys(["mode"])
            return PhaseMiddleware([])
        }
        try registry.register(name: "broken", version: "1") { _, _ in throw FactoryFailure() }
    }

    private func configuration(_ entries: [(String, [String: Any])]) -> GatewayConfiguration {
        let middleware = entries.enumerated().map { index, entry in
            GatewayConfiguration.MiddlewareEntry(use: entry.0, options: entry.1, keyPath: "middleware[\(index)]")
        }
        return GatewayConfiguration(listeners: [], middleware: middleware, directory: folder.url)
    }

    private func environment() throws -> PluginEnvironment {
        PluginEnvironment(configDirectory: folder.url, keyValue: try KeyValueNamespaces([]), logger: .disabled)
    }

    @Test func phasesAreSplitInOrder() throws {
        let chain = try MiddlewareChain.build(
            configuration: configuration([("head", [:]), ("select", [:]), ("edit", [:]), ("head", [:])]),
            registry: registry, environment: try environment())

        #expect(chain.names == ["head", "select", "edit", "head"])
        #expect(chain.middlewares.count == 4)
        #expect(chain.requestHead.map { ObjectIdentifier($0) } == [chain.middlewares[0], chain.middlewares[3]].map { ObjectIdentifier($0) })
        #expect(chain.upstreamSelection.map { ObjectIdentifier($0) } == [ObjectIdentifier(chain.middlewares[1])])
        #expect(chain.upstreamRequest.map { ObjectIdentifier($0) } == [ObjectIdentifier(chain.middlewares[2])])
        #expect(chain.responseHead.map { ObjectIdentifier($0) } == [ObjectIdentifier(chain.middlewares[2])])
        #expect(chain.logging.count == 2)
    }

    @Test func unknownMiddlewareListsKnownNames() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try MiddlewareChain.build(
                configuration: configuration([("head", [:]), ("gzp", [:])]), registry: registry,
                environment: try environment())
        }

        #expect(error?.key == "middleware[1].use")
        #expect(error?.message == "unknown middleware \"gzp\"; known: head, select, edit, strict, broken")
    }

    @Test func optionErrorPassesThroughUnchanged() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try MiddlewareChain.build(
                configuration: configuration([("strict", ["mood": "x"])]), registry: registry,
                environment: try environment())
        }

        #expect(error?.key == "middleware[0].mood")
    }

    @Test func otherFactoryErrorGetsKeyPath() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try MiddlewareChain.build(
                configuration: configuration([("head", [:]), ("broken", [:])]), registry: registry,
                environment: try environment())
        }

        #expect(error?.key == "middleware[1]")
        #expect(error?.message.contains("disk on fire") == true)
    }

    @Test func validateReportsEveryEntry() throws {
        let errors = MiddlewareChain.validate(
            configuration: configuration([("nope", [:]), ("head", [:]), ("broken", [:])]), registry: registry,
            environment: try environment())

        #expect(errors.map(\.key) == ["middleware[0].use", "middleware[2]"])
    }
}
