// One client connection to the target, plain or TLS, and reading HTTP responses from it.

import Foundation

/// A final or interim response as the client received it.
struct Response: Sendable {
    var head: MessageHead
    var body: [UInt8]
    /// The body's framing as received: `chunked`, `length`, `close` or `none`.
    var framing: String
    var trailers: [(String, String)] = []

    var status: Int {
        let parts = head.startLine.split(separator: " ")
        return parts.count > 1 ? Int(parts[1]) ?? -1 : -1
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// A connection from the suite's client to the target.
final class TargetConnection {
    let socket: BlockingSocket
    let tls: TLSClientSession?
    private(set) lazy var stream = MessageStream { [unowned self] deadline in read(deadline: deadline) }

    init(socket: BlockingSocket, tls: TLSClientSession?) {
        self.socket = socket
        self.tls = tls
    }

    /// Connects and, for a TLS target, completes the handshake with `options`.
    static func open(_ target: Target, tls options: TLSClientOptions?, timeout: Double = 5) throws -> TargetConnection {
        let socket = try BlockingSocket.connect(to: target.address, timeout: timeout)
        guard let options else {
            return TargetConnection(socket: socket, tls: nil)
        }
        let session = try TLSClientSession(socket: socket, options: options)
        try session.handshake(deadline: .after(timeout))
        return TargetConnection(socket: socket, tls: session)
    }

    func send(_ bytes: [UInt8], deadline: Deadline = .after(5)) throws {
        if let tls {
            try tls.write(bytes, deadline: deadline)
        } else {
            try socket.write(bytes, deadline: deadline)
        }
    }

    func read(deadline: Deadline) -> ReadResult {
        tls?.read(deadline: deadline) ?? socket.read(deadline: deadline)
    }

    /// Reads one response; 1xx responses other than 101 go to `interim` and reading goes on.
    func readResponse(method: String, deadline: Deadline, interim: inout [Response]) throws -> Response {
        while true {
            let head = try stream.readHead(deadline: deadline)
            var response = Response(head: head, body: [], framing: "none")
            let status = response.status
            if (100...199).contains(status) && status != 101 {
                interim.append(response)
                continue
            }
            try readBody(of: &response, method: method, deadline: deadline)
            return response
        }
    }

    /// Reads the body by RFC 9112 §6.3: none for HEAD, 1xx, 204 and 304, then chunked, length, or until close.
    private func readBody(of response: inout Response, method: String, deadline: Deadline) throws {
        let status = response.status
        if method == "HEAD" || status == 204 || status == 304 || status == 101 || (100...199).contains(status) {
            return
        }
        let head = response.head
        if head.has("transfer-encoding") {
            let chunked = try stream.readChunked(deadline: deadline)
            response.body = chunked.data
            response.trailers = chunked.trailers
            response.framing = "chunked"
        } else if let text = head.first("content-length") {
            guard let length = Int(text.trimmingCharacters(in: .whitespaces)), length >= 0 else {
                throw StreamEnd.malformed("the response has an invalid Content-Length \"\(text)\"")
            }
            response.body = try stream.readExactly(length, deadline: deadline)
            response.framing = "length"
        } else {
            response.body = try stream.readUntilClose(deadline: deadline)
            response.framing = "close"
        }
    }

    /// Waits until the target closes the connection; returns how it ended and any bytes that came first.
    func waitForClose(deadline: Deadline) -> (ReadResult, extra: [UInt8]) {
        var extra = stream.take(stream.buffer.count)
        while true {
            let result = read(deadline: deadline)
            guard case .data(let bytes) = result else {
                return (result, extra)
            }
            extra += bytes
        }
    }

    func close() {
        tls?.sendCloseNotify()
        socket.close()
    }
}
