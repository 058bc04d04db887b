// Runs the real `switchyard serve` process with the configuration shape from the README, then stops it with
// SIGTERM while a request is in flight.

import Foundation
import Glibc
import SwitchyardEventLoop
import SwitchyardGateway
import SwitchyardKV
import SwitchyardTLS
import Testing

@Suite struct ServeProcessTests {
    @Test func sigtermFinishesInFlightRequestAndExitsZero() throws {
        let origin = SampleOrigin(name: "storeA")
        try origin.start()
        defer { origin.stop() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try SelfSignedCertificate.generate(
            commonName: "localhost", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], days: 2,
            certificatePath: folder.appendingPathComponent("cert.pem").path,
            keyPath: folder.appendingPathComponent("key.pem").path)
        // Port 0: the server picks a free port and logs it, so no other test can take the port in between.
        let configuration = """
            {
              "listen": [ { "address": "127.0.0.1:0",
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
        let configPath = folder.appendingPathComponent("switchyard.json").path
        try configuration.write(toFile: configPath, atomically: true, encoding: .utf8)
        let put = try runProcess(
            try switchyardBinary(),
            ["kv", "put", "--config", configPath, "storeA", #"{"origin": "http://127.0.0.1:\#(origin.port)"}"#])
        #expect(put.status == 0)

        let server = Process()
        server.executableURL = URL(fileURLWithPath: try switchyardBinary())
        server.arguments = ["serve", "--config", configPath, "--workers", "1"]
        let logPath = folder.appendingPathComponent("serve.log").path
        FileManager.default.createFile(atPath: logPath, contents: nil)
        server.standardError = FileHandle(forWritingAtPath: logPath)
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        let caFile = folder.appendingPathComponent("cert.pem").path
        let port = try listeningPort(logPath: logPath)
        let first = try TestConnection(tlsPort: port, caFile: caFile)

        try first.send(GatewayHarness.request("GET", "/storeA/slow?ms=1000"))
        // The request is in flight at the origin once its connection was accepted.
        for _ in 0..<200 where origin.acceptedConnections == 0 {
            usleep(10_000)
        }
        kill(server.processIdentifier, SIGTERM)
        let response = try first.readResponse()
        server.waitUntilExit()

        #expect(response.status == 200)
        #expect(response.header("X-Served-By") == "Switchyard")
        #expect(response.header("X-Storefront-ID") == "storeA")
        #expect(server.terminationReason == .exit)
        #expect(server.terminationStatus == 0)
        let log = try String(contentsOf: folder.appendingPathComponent("access.log"), encoding: .utf8)
        #expect(log.contains("\"path\":\"/storeA/slow?ms=1000\""))
    }

    /// Reads the port from the server's "gateway started" log line, waiting up to 10 seconds while it starts.
    private func listeningPort(logPath: String) throws -> Int {
        for _ in 0..<200 {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            for line in log.split(separator: "\n") where line.contains("gateway started") {
                guard let data = line.data(using: .utf8),
                    let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                    let listen = object["listen"] as? String, let port = listen.split(separator: ":").last.flatMap({ Int($0) })
                else { throw HarnessError("unexpected start line: \(line)") }
                return port
            }
            usleep(50_000)
        }
        throw HarnessError("the server logged no start line within 10 seconds")
    }
}
