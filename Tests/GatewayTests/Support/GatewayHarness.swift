// Starts a real gateway in-process from a JSON configuration in a temporary folder, with an LMDB store,
// a generated certificate and a sample origin, and stops all of it at the end of a test.

import Foundation
import Glibc
import SwitchyardGateway
import SwitchyardKV
import SwitchyardPlugin
import SwitchyardTLS

/// The parts of a test gateway's configuration that tests vary.
struct GatewayOptions {
    /// Storefront id to stored routing value; `storeA` routes to the harness's sample origin unless set here.
    var routes: [String: String] = [:]
    /// Whether to open a TLS listener, a plain-HTTP listener, or both.
    var tls = true
    var plain = false
    /// DNS names of additional certificates on the TLS listener, each its own certificate, after `localhost`.
    var extraCertificateNames: [String] = []
    /// JSON members of the `limits` and `timeouts` objects, for example `"maxBodyBytes": 1024`.
    var limits = ""
    var timeouts = ""
    /// The `redirect` option of the routing-lookup middleware, or nil for its default.
    var redirect: String?
    var workers = 2
}

/// Log records kept in memory so tests can check what the gateway logged.
final class RecordingLogSink: LogSink, @unchecked Sendable {
    struct Record {
        var level: LogLevel
        var message: String
        var metadata: [String: String]
    }

    private let lock = NSLock()
    private var stored: [Record] = []

    var records: [Record] {
        lock.withLock { stored }
    }

    func write(level: LogLevel, message: String, metadata: [String: String]) {
        lock.withLock { stored.append(Record(level: level, message: message, metadata: metadata)) }
    }
}

/// A temporary folder that is deleted when the value goes away.
final class ScratchFolder {
    let path: String

    init() throws {
        var template = Array("\(NSTemporaryDirectory())/switchyard-itest-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw HarnessError("mkdtemp failed: \(String(cString: strerror(errno)))")
        }
        path = String(cString: created)
    }

    func file(_ name: String) -> String {
        "\(path)/\(name)"
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A running gateway with its folder, store, certificate and a sample origin named `storeA`.
///
/// Call `stop()` at the end of every test (a `defer` right after creation); it is safe to call twice.
final class GatewayHarness {
    static let namespace = "ROUTING_CONFIG"

    let folder: ScratchFolder
    let configPath: String
    /// The certificate for `localhost` and 127.0.0.1, which is also its own CA file.
    let certificate: String
    /// Certificate paths of `GatewayOptions.extraCertificateNames`, by DNS name.
    let extraCertificates: [String: String]
    let store: LMDBStore
    let origin: SampleOrigin
    let logs = RecordingLogSink()
    let server: GatewayServer
    let tlsPort: Int
    let plainPort: Int
    private var stopped = false
    private var shutdownStarted = false
    private var stopWaited = false

    var accessLogPath: String { folder.file("access.log") }

    init(_ options: GatewayOptions = GatewayOptions()) throws {
        // OpenSSL writes with write(2), so a peer that closed first would end the test process with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        folder = try ScratchFolder()
        certificate = folder.file("localhost.pem")
        try SelfSignedCertificate.generate(
            commonName: "localhost", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], days: 2,
            certificatePath: certificate, keyPath: folder.file("localhost-key.pem"))
        var extras: [String: String] = [:]
        for name in options.extraCertificateNames {
            extras[name] = folder.file("\(name).pem")
            try SelfSignedCertificate.generate(
                commonName: name, dnsNames: [name], ipAddresses: [], days: 2,
                certificatePath: folder.file("\(name).pem"), keyPath: folder.file("\(name)-key.pem"))
        }
        extraCertificates = extras

        origin = SampleOrigin(name: "storeA")
        try origin.start()
        do {
            configPath = folder.file("switchyard.json")
            try Self.configurationText(options).write(toFile: configPath, atomically: true, encoding: .utf8)
            store = try LMDBStore(path: folder.file("data/routing"))
            var routes = ["storeA": Self.routeValue(port: origin.port)]
            routes.merge(options.routes) { _, new in new }
            try store.putAll(database: Self.namespace, routes.map { (key: $0.key, value: Array($0.value.utf8)) })

            let configuration = try ConfigurationLoader.load(path: configPath)
            let registry = try ServerEntry.makeRegistry(configuration: configuration)
            server = try GatewayServer(
                configuration: configuration, registry: registry, logger: Logger(level: .debug, sink: logs))
        } catch {
            origin.stop()
            throw error
        }
        server.start()
        // Listeners are bound in configuration order: the TLS one first when present, then the plain one.
        var ports = server.listenAddresses.map(\.port)[...]
        tlsPort = options.tls ? ports.removeFirst() : 0
        plainPort = options.plain ? ports.removeFirst() : 0
    }

    /// Returns the routing value for an origin on 127.0.0.1:`port`, with extra JSON members such as `"redirect": "follow"`.
    static func routeValue(port: Int, extra: String = "") -> String {
        "{\"origin\": \"http://127.0.0.1:\(port)\"\(extra.isEmpty ? "" : ", " + extra)}"
    }

    private static func configurationText(_ options: GatewayOptions) -> String {
        var listeners: [String] = []
        if options.tls {
            let extras = options.extraCertificateNames.map { "{ \"cert\": \"\($0).pem\", \"key\": \"\($0)-key.pem\" }" }
            let certificates = (["{ \"cert\": \"localhost.pem\", \"key\": \"localhost-key.pem\" }"] + extras)
                .joined(separator: ", ")
            listeners.append("{ \"address\": \"127.0.0.1:0\", \"tls\": { \"certificates\": [ \(certificates) ] } }")
        }
        if options.plain {
            listeners.append("{ \"address\": \"127.0.0.1:0\" }")
        }
        let redirect = options.redirect.map { ", \"redirect\": \"\($0)\"" } ?? ""
        return """
            // Written by the gateway integration tests.
            {
              "listen": [ \(listeners.joined(separator: ", ")) ],
              "kv": { "\(namespace)": { "backend": "lmdb", "path": "data/routing" } },
              "workers": \(options.workers),
              "limits": { \(options.limits) },
              "timeouts": { \(options.timeouts) },
              "middleware": [
                { "use": "routing-lookup", "namespace": "\(namespace)"\(redirect) },
                { "use": "header-injection",
                  "response": { "set": { "X-Served-By": "Switchyard", "X-Storefront-ID": "${storefront_id}" } } },
                { "use": "access-log", "format": "json", "path": "access.log" },
                { "use": "gzip" }
              ]
            }

            """
    }

    /// Starts a graceful shutdown with `grace` seconds for requests in flight; `stop()` later waits for its end.
    func beginShutdown(grace: Double) {
        guard !shutdownStarted else { return }
        shutdownStarted = true
        server.shutdown(grace: grace)
    }

    /// Waits until every worker stopped. `GatewayServer.waitUntilStopped` consumes one signal per worker and
    /// would block forever when called twice, so this calls it once.
    func waitUntilStopped() {
        guard !stopWaited else { return }
        stopWaited = true
        server.waitUntilStopped()
    }

    /// Stops the gateway, waiting for its workers, then the sample origin.
    func stop() {
        guard !stopped else { return }
        stopped = true
        beginShutdown(grace: 2)
        waitUntilStopped()
        origin.stop()
    }

    deinit {
        stop()
    }

    // MARK: Clients

    /// Opens a TLS connection to the gateway for `localhost`, verified against the generated certificate.
    func connect(alpn: [String] = []) throws -> TestConnection {
        try TestConnection(tlsPort: tlsPort, caFile: certificate, alpn: alpn)
    }

    func connectPlain() throws -> TestConnection {
        try TestConnection(plainPort: plainPort)
    }

    /// Sends one GET over a new TLS connection and reads the response.
    func get(_ target: String, fields: [String] = []) throws -> TestResponse {
        let connection = try connect()
        try connection.send(Self.request("GET", target, fields: fields))
        return try connection.readResponse()
    }

    /// Builds the text of a request with `Host: localhost`, the given extra field lines and body.
    static func request(
        _ method: String, _ target: String, host: String = "localhost", fields: [String] = [], body: String? = nil
    ) -> String {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: \(host)\r\n"
        for field in fields {
            text += field + "\r\n"
        }
        if let body {
            text += "Content-Length: \(body.utf8.count)\r\n"
        }
        return text + "\r\n" + (body ?? "")
    }

    // MARK: Files

    /// Returns the access log's lines once it has at least `count` of them, waiting up to 10 seconds because the
    /// logging phase may run just after the response bytes went out.
    func accessLogLines(atLeast count: Int, path: String? = nil) throws -> [String] {
        let deadline = Date().addingTimeInterval(10)
        while true {
            let text = (try? String(contentsOfFile: path ?? accessLogPath, encoding: .utf8)) ?? ""
            let lines = text.split(separator: "\n").map(String.init)
            if lines.count >= count { return lines }
            guard Date() < deadline else {
                throw HarnessError("access log has \(lines.count) lines after 10 s, expected \(count)")
            }
            usleep(10_000)
        }
    }
}

/// Returns the resident set size of this process in bytes, from `VmRSS` in /proc/self/status.
func residentMemoryBytes() throws -> Int {
    let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
        let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    else {
        throw HarnessError("no VmRSS line in /proc/self/status")
    }
    return kilobytes * 1024
}

/// FNV-1a 64 over `bytes`, as the sample origin's `/upload` computes it.
func fnv1a(_ bytes: [UInt8]) -> String {
    var hash: UInt64 = 0xcbf29ce484222325
    for byte in bytes {
        hash = (hash ^ UInt64(byte)) &* 0x100000001b3
    }
    return String(hash, radix: 16)
}

/// Runs `executable` with `arguments`, feeding `input` on standard input, and returns its exit status and output.
/// The process is killed after 30 seconds.
func runProcess(_ executable: String, _ arguments: [String], input: [UInt8] = []) throws -> (status: Int32, output: [UInt8]) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let stdin = Pipe()
    let stdout = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = FileHandle.nullDevice
    try process.run()
    let watchdog = DispatchWorkItem { [process] in process.terminate() }
    DispatchQueue.global().asyncAfter(deadline: .now() + 30, execute: watchdog)
    let writer = Thread {
        stdin.fileHandleForWriting.write(Data(input))
        try? stdin.fileHandleForWriting.close()
    }
    writer.start()
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    watchdog.cancel()
    return (process.terminationStatus, Array(output))
}
