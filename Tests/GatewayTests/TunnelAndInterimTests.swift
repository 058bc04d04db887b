// Tests of protocol-switch tunnels and interim (1xx) responses against scripted origins, and of CLI guards
// found by attacking the gateway: invalid kv keys and stale pid files.

import Foundation
import Glibc
import Synchronization
import Testing

@Suite struct TunnelAndInterimTests {
    private static let upgradeRequest = "GET /ws/chat HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\n"
        + "Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"

    @Test func tunnelRelaysBytesBothWays() throws {
        let origin = try ScriptedOrigin { connection in
            guard let head = connection.readHead(), head.lowercased().contains("upgrade: websocket") else { return }
            connection.write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
            var buffer = [UInt8](repeating: 0, count: 64)
            let count = buffer.withUnsafeMutableBytes { Glibc.recv(connection.fd, $0.baseAddress, $0.count, 0) }
            if count > 0 { connection.write("echo:" + String(decoding: buffer[0..<count], as: UTF8.self)) }
        }
        defer { origin.stop() }
        var options = GatewayOptions()
        options.routes = ["ws": GatewayHarness.routeValue(port: origin.port)]
        let gateway = try GatewayHarness(options)
        defer { gateway.stop() }
        let connection = try gateway.connect()

        try connection.send(Self.upgradeRequest)
        let switched = try connection.readResponse(method: "GET")
        try connection.send("ping")
        let echoed = try connection.readUntilClosed()

        #expect(switched.status == 101)
        #expect(switched.header("Upgrade") == "websocket")
        #expect(String(decoding: echoed, as: UTF8.self) == "echo:ping")
    }

    @Test func clientHalfCloseReachesOrigin() throws {
        let origin = try ScriptedOrigin { connection in
            _ = connection.readHead()
            connection.write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 64)
            while true {
                let count = buffer.withUnsafeMutableBytes { Glibc.recv(connection.fd, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { break }
                received += buffer[0..<count]
            }
            // The gateway passed the client's FIN on, and this direction still works.
            connection.write("got:" + String(decoding: received, as: UTF8.self))
        }
        defer { origin.stop() }
        var options = GatewayOptions()
        options.tls = false
        options.plain = true
        options.routes = ["ws": GatewayHarness.routeValue(port: origin.port)]
        let gateway = try GatewayHarness(options)
        defer { gateway.stop() }
        let connection = try gateway.connectPlain()

        try connection.send(Self.upgradeRequest)
        let switched = try connection.readResponse(method: "GET")
        try connection.send("ping")
        Glibc.shutdown(connection.fd, Int32(SHUT_WR))
        let reply = try connection.readUntilClosed()

        #expect(switched.status == 101)
        #expect(String(decoding: reply, as: UTF8.self) == "got:ping")
    }

    @Test func originHalfCloseReachesClient() throws {
        let received = Mutex<[UInt8]>([])
        let origin = try ScriptedOrigin { connection in
            _ = connection.readHead()
            connection.write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nbye")
            Glibc.shutdown(connection.fd, Int32(SHUT_WR))
            var buffer = [UInt8](repeating: 0, count: 64)
            while true {
                let count = buffer.withUnsafeMutableBytes { Glibc.recv(connection.fd, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { break }
                received.withLock { $0 += buffer[0..<count] }
            }
        }
        defer { origin.stop() }
        var options = GatewayOptions()
        options.tls = false
        options.plain = true
        options.routes = ["ws": GatewayHarness.routeValue(port: origin.port)]
        let gateway = try GatewayHarness(options)
        defer { gateway.stop() }
        let connection = try gateway.connectPlain()

        try connection.send(Self.upgradeRequest)
        let switched = try connection.readResponse(method: "GET")
        let farewell = try connection.readUntilClosed()
        try connection.send("late")
        connection.close()
        // The origin reads until the gateway closes its side, which happens once the client closed.
        for _ in 0..<200 where received.withLock({ $0.isEmpty }) {
            usleep(10_000)
        }

        #expect(switched.status == 101)
        #expect(String(decoding: farewell, as: UTF8.self) == "bye")
        #expect(String(decoding: received.withLock { $0 }, as: UTF8.self) == "late")
    }

    @Test func silentTunnelOriginClosesClient() throws {
        let origin = try ScriptedOrigin { connection in
            _ = connection.readHead()
            connection.write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
            _ = connection.readHead()  // Waits, silent, until the gateway gives up and closes.
        }
        defer { origin.stop() }
        var options = GatewayOptions()
        options.routes = ["ws": GatewayHarness.routeValue(port: origin.port)]
        options.timeouts = "\"upstreamRead\": 0.5"
        let gateway = try GatewayHarness(options)
        defer { gateway.stop() }
        let connection = try gateway.connect()

        try connection.send(Self.upgradeRequest)
        let switched = try connection.readResponse(method: "GET")

        #expect(switched.status == 101)
        // The test client waits at most 10 seconds; the gateway must close after its 0.5-second read timeout.
        #expect(try connection.serverClosed())
    }

    @Test func interimContentLengthRemoved() throws {
        let origin = try ScriptedOrigin { connection in
            _ = connection.readHead()
            connection.write("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\nContent-Length: 5\r\n\r\n")
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        }
        defer { origin.stop() }
        var options = GatewayOptions()
        options.routes = ["hints": GatewayHarness.routeValue(port: origin.port)]
        let gateway = try GatewayHarness(options)
        defer { gateway.stop() }
        let connection = try gateway.connect()

        try connection.send(GatewayHarness.request("GET", "/hints/x"))
        let hints = try connection.readResponse()
        let response = try connection.readResponse()

        #expect(hints.status == 103)
        #expect(hints.header("Content-Length") == nil)
        #expect(hints.header("Link") == "</a.css>")
        #expect(response.status == 200)
        #expect(response.text == "ok")
    }

    @Test func endlessInterimResponsesGet502() throws {
        let origin = try ScriptedOrigin { connection in
            _ = connection.readHead()
            for _ in 0..<100 {
                connection.write("HTTP/1.1 102 Processing\r\n\r\n")
            }
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        }
        defer { origin.stop() }
        var options = GatewayOptions()
        options.routes = ["chatty": GatewayHarness.routeValue(port: origin.port)]
        let gateway = try GatewayHarness(options)
        defer { gateway.stop() }
        let connection = try gateway.connect()

        try connection.send(GatewayHarness.request("GET", "/chatty/x"))
        var statuses: [Int] = []
        while statuses.last.map({ (100...199).contains($0) }) ?? true, statuses.count < 200 {
            statuses.append(try connection.readResponse().status)
        }

        #expect(statuses.filter { $0 == 102 }.count == 32)
        #expect(statuses.last == 502)
    }

    @Test func kvRejectsControlAndInvalidKeys() throws {
        let cli = try CLIHarness()
        for key in ["a\nb", "tab\there", "bad\u{FFFD}"] {
            let result = try cli.run(["kv", "put", "--config", cli.configPath, key, #"{"origin": "http://127.0.0.1:1"}"#])
            #expect(result.status == 2, "key \(key.debugDescription) was accepted")
            #expect(result.stderr.contains("keys are 1 to 511 bytes of printable UTF-8"))
        }
    }

    @Test func reloadRefusesStalePIDFile() throws {
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["30"]
        try sleeper.run()
        defer { sleeper.terminate() }
        let cli = try CLIHarness()
        let pidFile = try cli.folder.write("stale.pid", "\(sleeper.processIdentifier)\n")

        let result = try cli.run(["reload", "--pid-file", pidFile])

        #expect(result.status == 1)
        #expect(result.stderr.contains("is not a switchyard gateway"))
        #expect(sleeper.isRunning)
    }
}
