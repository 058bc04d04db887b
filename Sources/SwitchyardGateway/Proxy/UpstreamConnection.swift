// A connection to an origin: connect, optional TLS handshake, then one exchange at a time, then back to the pool.

import Glibc
import SwitchyardEventLoop
import SwitchyardHTTP1
import SwitchyardTLS

/// Identifies interchangeable origin connections: same address, scheme and TLS settings.
struct UpstreamKey: Hashable {
    var scheme: String
    var host: String
    var port: Int
    var verifyCertificate: Bool
    var caFile: String?
}

/// Receives an upstream connection's events; implemented by the exchange that uses it.
protocol UpstreamConnectionOwner: AnyObject {
    func upstreamReady(_ connection: UpstreamConnection)
    func upstreamFailed(_ connection: UpstreamConnection?, _ error: GatewayError)
    func upstreamReceived(_ connection: UpstreamConnection)
    func upstreamDrained(_ connection: UpstreamConnection)
    func upstreamPeerClosed(_ connection: UpstreamConnection, truncated: Bool)
}

/// One origin connection. Used on its loop thread only.
final class UpstreamConnection: ChannelDelegate, DeadlineHandler {
    enum State {
        case connecting, handshaking, idle, active, closed
    }

    let key: UpstreamKey
    let channel: Channel
    private unowned let pool: UpstreamPool
    weak var owner: UpstreamConnectionOwner?
    private(set) var state: State = .connecting
    var decoder: HTTP1ResponseDecoder
    /// How many requests this connection carried; a reused connection may fail because the origin closed it.
    private(set) var requestCount = 0
    var deadline: UInt64 = 0
    var scheduledDeadline: UInt64 = 0

    init(key: UpstreamKey, channel: Channel, pool: UpstreamPool, maxHeaderBytes: Int) {
        self.key = key
        self.channel = channel
        self.pool = pool
        decoder = HTTP1ResponseDecoder(maxHeaderBytes: maxHeaderBytes)
        channel.delegate = self
    }

    var isReused: Bool { requestCount > 1 }

    /// Marks the connection as carrying a new request.
    func beginRequest(owner: UpstreamConnectionOwner, method: String) {
        self.owner = owner
        state = .active
        requestCount += 1
        decoder.expectResponse(toMethod: method)
        channel.readingPaused = false
    }

    /// Sets the deadline to `seconds` from now, or clears it with nil.
    func setTimeout(_ seconds: Double?) {
        if let seconds {
            deadline = channel.loop.deadline(after: seconds)
            channel.loop.updateDeadline(self)
        } else {
            deadline = 0
        }
    }

    /// Detaches from the exchange and parks the connection in the pool when it can carry another request.
    func release(reusable: Bool) {
        owner = nil
        guard state == .active, reusable, channel.input.isEmpty, channel.pendingOutput == 0, !channel.peerClosed
        else {
            close()
            return
        }
        state = .idle
        channel.releaseInputBufferIfEmpty()
        pool.park(self)
    }

    func close() {
        guard state != .closed else { return }
        state = .closed
        deadline = 0
        channel.close()
        pool.forget(self)
    }

    func deadlineExpired() {
        switch state {
        case .connecting, .handshaking:
            fail(GatewayError(.connectTimeout))
        case .active:
            fail(GatewayError(.readTimeout))
        case .idle:
            close()
        case .closed:
            break
        }
    }

    private func fail(_ error: GatewayError) {
        let owner = self.owner
        close()
        owner?.upstreamFailed(self, error)
    }

    // MARK: ChannelDelegate

    func channelConnected(error: Int32?) {
        if let error {
            let cause = SystemCallError(call: "connect", errno: error)
            fail(GatewayError(error == ECONNREFUSED ? .connectRefused : .connectFailed, cause: cause))
            return
        }
        if channel.transport.needsHandshake {
            state = .handshaking
        } else {
            becameReady()
        }
    }

    func channelHandshakeCompleted() {
        becameReady()
    }

    private func becameReady() {
        state = .active
        deadline = 0
        owner?.upstreamReady(self)
    }

    func channelReceived() {
        if state == .idle {
            // An idle origin connection must not send anything; bytes here mean it is unusable.
            close()
            return
        }
        owner?.upstreamReceived(self)
    }

    func channelDrained() {
        owner?.upstreamDrained(self)
    }

    func channelPeerClosed(truncated: Bool) {
        if state == .idle {
            close()
            return
        }
        owner?.upstreamPeerClosed(self, truncated: truncated)
    }

    func channelFailed(_ error: Error) {
        switch state {
        case .handshaking:
            fail(GatewayError(.tlsFailed, cause: error))
        case .connecting:
            fail(GatewayError(.connectFailed, cause: error))
        default:
            fail(GatewayError(.upstreamClosed, retryable: isReused, cause: error))
        }
    }
}
