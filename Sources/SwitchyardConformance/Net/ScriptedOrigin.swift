// The scripted origin: listens on loopback, records every request exactly as it arrives, and replays scripted replies.

import Foundation
import Glibc
import SwitchyardEventLoop

/// One request as the origin received it.
struct OriginRequest: Sendable {
    /// The parsed head; nil when the bytes never formed a head.
    var head: MessageHead?
    /// The body after removing chunked framing.
    var body: [UInt8] = []
    /// Every byte of this request as received: head and framed body.
    var raw: [UInt8] = []
    /// The origin-side connection number, counted from 1 since the origin started.
    var connection: Int
    /// The reason reading stopped early; nil for a complete request.
    var error: String?

    var method: String { head?.startLine.split(separator: " ").first.map(String.init) ?? "" }
    var target: String {
        let parts = head?.startLine.split(separator: " ", omittingEmptySubsequences: false) ?? []
        return parts.count > 1 ? String(parts[1]) : ""
    }
    var isProbe: Bool { target.contains(ScriptedOrigin.probeMarker) }
}

/// What the origin does after reading a request.
enum OriginReply: Sendable {
    /// Sends these bytes; `close` closes the connection afterwards.
    case bytes([UInt8], close: Bool)
    /// Waits this many seconds, then sends the bytes and keeps the connection.
    case delayed(Double, [UInt8])
    /// Closes the connection without replying.
    case close
    /// Resets the connection (TCP RST) without replying.
    case reset
    /// Sends nothing and holds the connection until the case ends.
    case silent
    /// Runs custom socket code; the connection closes afterwards.
    case custom(@Sendable (OriginLink) throws -> Void)

    static func text(_ response: String, close: Bool = false) -> OriginReply {
        .bytes(Template.bytes(response), close: close)
    }
}

/// The socket of one origin-side connection, handed to custom replies.
struct OriginLink: Sendable {
    let socket: BlockingSocket
    let stream: MessageStreamBox

    func write(_ text: String) throws {
        try socket.write(Template.bytes(text), deadline: .after(5))
    }
}

/// A sendable wrapper so custom replies can keep reading the connection's buffered bytes.
final class MessageStreamBox: @unchecked Sendable {
    let stream: MessageStream

    init(_ stream: MessageStream) {
        self.stream = stream
    }
}

/// How the origin treats requests during one case.
struct OriginScript: Sendable {
    /// Bytes sent right after the request head, before the body is read (a 100 Continue, say).
    var interim: [UInt8]?
    /// Whether the body is read before replying.
    var readBody = true
    var reply: @Sendable (OriginRequest) -> OriginReply

    /// 200 with a short text body, keeping the connection open.
    static let ok = OriginScript(reply: { _ in .text(Responses.ok) })

    static func always(_ reply: OriginReply) -> OriginScript {
        OriginScript(reply: { _ in reply })
    }

    static func respond(_ text: String, close: Bool = false) -> OriginScript {
        always(.text(text, close: close))
    }
}

/// Canned origin responses.
enum Responses {
    static let ok = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\norigin-ok"
}

/// A loopback origin server whose behaviour the runner scripts case by case.
///
/// Threading: one accept thread and one thread per connection; the script and the records sit behind a lock.
public final class ScriptedOrigin: @unchecked Sendable {
    /// Requests whose target contains this marker are keep-alive probes of the runner, answered 200 and not recorded.
    static let probeMarker = "__conformance_probe"

    public let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var script = OriginScript.ok
    private var records: [OriginRequest] = []
    private var connectionCount = 0
    private var heldSockets: [BlockingSocket] = []
    private var stopped = false

    /// Listens on 127.0.0.1:`port`; port 0 picks a free one.
    public init(port: Int) throws {
        guard let address = SocketAddress(ipAddress: "127.0.0.1", port: port) else {
            throw CaseError("invalid origin port \(port); pass 1 to 65535")
        }
        do {
            listener = try TCP.listen(on: address, backlog: 128, reusePort: false)
            self.port = try TCP.localAddress(listener).port
        } catch {
            throw CaseError("the scripted origin cannot listen on 127.0.0.1:\(port): \(error); "
                + "choose a free port with --origin-port")
        }
        // TCP.listen makes the socket non-blocking for the event loop; the origin's accept thread blocks.
        let flags = fcntl(listener, F_GETFL)
        _ = fcntl(listener, F_SETFL, flags & ~O_NONBLOCK)
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "conformance-origin"
        thread.start()
    }

    /// Stops accepting and closes every held connection. Safe to call more than once. The accept thread closes
    /// the listening socket itself once `accept` fails, so its descriptor number cannot be reused under it.
    public func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        Glibc.shutdown(listener, Int32(SHUT_RDWR))
        releaseHeld()
    }

    /// Installs the script for the next case and clears the records.
    func beginCase(_ script: OriginScript) {
        releaseHeld()
        lock.withLock {
            self.script = script
            records = []
        }
    }

    /// Returns the requests recorded since `beginCase`, without the runner's probes.
    func endCase() -> [OriginRequest] {
        releaseHeld()
        return lock.withLock {
            let caseRecords = records.filter { !$0.isProbe }
            script = .ok
            return caseRecords
        }
    }

    private func releaseHeld() {
        let sockets = lock.withLock {
            defer { heldSockets = [] }
            return heldSockets
        }
        sockets.forEach { $0.close() }
    }

    private func acceptLoop() {
        defer { Glibc.close(listener) }
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED {
                    continue
                }
                return
            }
            let number = lock.withLock {
                connectionCount += 1
                return connectionCount
            }
            let socket = BlockingSocket(fd: fd)
            let thread = Thread { [self] in serve(socket, connection: number) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private func serve(_ socket: BlockingSocket, connection: Int) {
        let stream = MessageStream { deadline in socket.read(deadline: deadline) }
        while !lock.withLock({ stopped }) {
            let before = stream.received.count
            var request = OriginRequest(connection: connection)
            do {
                let head = try stream.readHead(deadline: .after(120))
                request.head = head
                request.raw = head.raw
            } catch {
                recordStray(stream, from: before, connection: connection, error: error)
                socket.close()
                return
            }
            let current = lock.withLock { script }
            let activeScript = request.isProbe ? OriginScript.ok : current
            guard handle(&request, script: activeScript, socket: socket, stream: stream, from: before) else {
                return
            }
        }
    }

    /// Reads the body, records the request and performs the reply; returns whether the connection stays open.
    private func handle(_ request: inout OriginRequest, script: OriginScript, socket: BlockingSocket,
                        stream: MessageStream, from offset: Int) -> Bool {
        if let interim = script.interim {
            try? socket.write(interim, deadline: .after(5))
        }
        if script.readBody, let head = request.head {
            do {
                let (body, raw) = try Self.readBody(head: head, stream: stream)
                request.body = body
                request.raw += raw
            } catch {
                request.error = "body: \(error)"
                request.raw = Array(stream.received[offset...])
                record(request)
                socket.close()
                return false
            }
        }
        record(request)
        return perform(script.reply(request), socket: socket, stream: stream)
    }

    private func perform(_ reply: OriginReply, socket: BlockingSocket, stream: MessageStream) -> Bool {
        switch reply {
        case .bytes(let bytes, let close):
            do {
                try socket.write(bytes, deadline: .after(5))
            } catch {
                socket.close()
                return false
            }
            if close {
                socket.close()
            }
            return !close
        case .delayed(let seconds, let bytes):
            Thread.sleep(forTimeInterval: seconds)
            return perform(.bytes(bytes, close: false), socket: socket, stream: stream)
        case .close:
            socket.close()
            return false
        case .reset:
            socket.reset()
            return false
        case .silent:
            lock.withLock { heldSockets.append(socket) }
            // Wait for the peer to give up or for the case to end, which closes the socket.
            _ = socket.read(deadline: .after(60))
            socket.close()
            return false
        case .custom(let run):
            try? run(OriginLink(socket: socket, stream: MessageStreamBox(stream)))
            socket.close()
            return false
        }
    }

    private func record(_ request: OriginRequest) {
        lock.withLock { records.append(request) }
    }

    private func recordStray(_ stream: MessageStream, from offset: Int, connection: Int, error: Error) {
        let leftover = Array(stream.received[offset...])
        guard !leftover.isEmpty else {
            return
        }
        record(OriginRequest(head: nil, raw: leftover, connection: connection, error: "\(error)"))
    }

    /// Reads a request body by its framing: chunked when Transfer-Encoding is present, else Content-Length.
    static func readBody(head: MessageHead, stream: MessageStream) throws -> (body: [UInt8], raw: [UInt8]) {
        let deadline = Deadline.after(10)
        if head.has("transfer-encoding") {
            guard head.lists("transfer-encoding", "chunked") else {
                throw StreamEnd.malformed("Transfer-Encoding without chunked in a request")
            }
            let chunked = try stream.readChunked(deadline: deadline)
            return (chunked.data, chunked.raw)
        }
        let lengths = Set(head.values("content-length").flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) })
        guard let text = lengths.first else {
            return ([], [])
        }
        guard lengths.count == 1, let length = Int(text), length >= 0 else {
            throw StreamEnd.malformed("invalid Content-Length \(head.values("content-length"))")
        }
        let body = try stream.readExactly(length, deadline: deadline)
        return (body, body)
    }
}
