// Checks graceful shutdown: requests in flight finish, new connections are refused.

import Foundation
import Glibc
import Testing

@Suite struct ShutdownTests {
    /// Waits up to 10 seconds for `condition`, because the state changes on another thread.
    private func waitUntil(_ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while !condition() {
            guard Date() < deadline else { return false }
            usleep(5_000)
        }
        return true
    }

    /// Returns whether a connection to 127.0.0.1:`port` is refused, or reset before any response, within 10 seconds.
    private func connectionsRefused(port: Int) -> Bool {
        waitUntil {
            guard let connection = try? TestConnection(plainPort: port, timeout: 2) else { return true }
            // A connect that raced the listener's close waits in its backlog, which the close then resets.
            do {
                try connection.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                return try connection.readUntilClosed().isEmpty
            } catch {
                return false
            }
        }
    }

    @Test func inFlightRequestCompletesAfterShutdown() throws {
        var options = GatewayOptions()
        options.plain = true
        let gateway = try GatewayHarness(options)
        defer { gateway.stop() }
        let connection = try gateway.connect()
        try connection.send(GatewayHarness.request("GET", "/storeA/slow?ms=1500"))
        #expect(waitUntil { gateway.origin.acceptedConnections == 1 })

        gateway.beginShutdown(grace: 10)
        let refused = connectionsRefused(port: gateway.plainPort)
        let response = try connection.readResponse()

        #expect(refused)
        #expect(response.status == 200)
        #expect(response.text == "slow\n")
        #expect(response.header("Connection") == "close")
        #expect(try connection.serverClosed())
        // The gateway lingers on a closed connection until the client closes too, so close before waiting.
        connection.close()
        let stopStarted = Date()
        gateway.waitUntilStopped()
        #expect(Date().timeIntervalSince(stopStarted) < 1)
    }
}
