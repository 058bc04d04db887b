// Test helpers: temporary certificates, non-blocking socket pairs and a poll() loop that drives two TLS endpoints.
import Foundation
import Glibc
@testable import SwitchyardTLS
import Testing

struct TestFailure: Error, CustomStringConvertible {
    let description: String
}

/// A temporary folder removed when the value is deinitialised.
final class TemporaryFolder {
    let path: String

    init() throws {
        var template = Array("\(NSTemporaryDirectory())/tls-tests-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw TestFailure(description: "mkdtemp failed: \(String(cString: strerror(errno)))")
        }
        path = String(cString: created)
        // OpenSSL writes with write(2), so a peer that already closed would kill the test process with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
    }

    func file(_ name: String) -> String {
        "\(path)/\(name)"
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A generated certificate and key on disk.
struct TestCertificate {
    let cert: String
    let key: String

    init(in folder: TemporaryFolder, name: String, dnsNames: [String], ipAddresses: [String] = [],
         keyType: SelfSignedCertificate.KeyType = .ecP256) throws {
        cert = folder.file("\(name).crt")
        key = folder.file("\(name).key")
        try SelfSignedCertificate.generate(commonName: dnsNames.first ?? name, dnsNames: dnsNames,
                                           ipAddresses: ipAddresses, days: 2, certificatePath: cert, keyPath: key,
                                           keyType: keyType)
    }

    var pair: (cert: String, key: String) { (cert, key) }
}

/// Two connected non-blocking sockets, closed on deinit. `clientFD` and `serverFD` name the ends.
final class ConnectedSockets {
    let clientFD: Int32
    let serverFD: Int32

    /// Creates a Unix-domain socketpair; `bufferSize` shrinks the kernel buffers to force partial writes.
    static func unixPair(bufferSize: Int32? = nil) throws -> ConnectedSockets {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else {
            throw TestFailure(description: "socketpair failed: \(String(cString: strerror(errno)))")
        }
        let sockets = ConnectedSockets(clientFD: fds[0], serverFD: fds[1])
        if let bufferSize {
            for fd in fds {
                setOption(fd, SO_SNDBUF, bufferSize)
                setOption(fd, SO_RCVBUF, bufferSize)
            }
        }
        return sockets
    }

    /// Creates a TCP connection over 127.0.0.1 through a listener bound to port 0.
    static func tcpPair() throws -> ConnectedSockets {
        let listener = try TCPListener()
        let client = try listener.connectClient()
        let server = try listener.acceptOne()
        return ConnectedSockets(clientFD: client, serverFD: server)
    }

    init(clientFD: Int32, serverFD: Int32) {
        self.clientFD = clientFD
        self.serverFD = serverFD
        _ = fcntl(clientFD, F_SETFL, fcntl(clientFD, F_GETFL) | O_NONBLOCK)
        _ = fcntl(serverFD, F_SETFL, fcntl(serverFD, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        close(clientFD)
        close(serverFD)
    }

    private static func setOption(_ fd: Int32, _ option: Int32, _ value: Int32) {
        var value = value
        _ = setsockopt(fd, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<Int32>.size))
    }
}

/// A listening TCP socket on 127.0.0.1 with a kernel-chosen port, closed on deinit.
final class TCPListener {
    let fd: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(fd, generic, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, generic, &length) == 0
            }
        }
        guard fd >= 0, bound else {
            throw TestFailure(description: "cannot listen on 127.0.0.1: \(String(cString: strerror(errno)))")
        }
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit {
        close(fd)
    }

    func connectClient() throws -> Int32 {
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            close(client)
            throw TestFailure(description: "connect to 127.0.0.1:\(port) failed: \(String(cString: strerror(errno)))")
        }
        return client
    }

    /// Waits (bounded) for one connection and returns its non-blocking fd.
    func acceptOne() throws -> Int32 {
        try Poller.wait([(fd, Int16(POLLIN))])
        let accepted = accept(fd, nil, nil)
        guard accepted >= 0 else {
            throw TestFailure(description: "accept failed: \(String(cString: strerror(errno)))")
        }
        _ = fcntl(accepted, F_SETFL, fcntl(accepted, F_GETFL) | O_NONBLOCK)
        return accepted
    }
}

enum Poller {
    /// Blocks in poll() until one of `interests` is ready; throws after `timeoutMilliseconds` so no test can hang.
    static func wait(_ interests: [(fd: Int32, events: Int16)], timeoutMilliseconds: Int32 = 5_000) throws {
        var descriptors = interests.map { pollfd(fd: $0.fd, events: $0.events, revents: 0) }
        let ready = poll(&descriptors, nfds_t(descriptors.count), timeoutMilliseconds)
        guard ready > 0 else {
            throw TestFailure(description: "poll timed out or failed (\(ready)) waiting on \(interests.map(\.fd))")
        }
    }

    static func events(for result: TLSIOResult) -> Int16 {
        result == .wantWrite ? Int16(POLLOUT) : Int16(POLLIN)
    }
}

/// How one side's handshake ended.
enum HandshakeOutcome {
    case completed
    case failed(TLSError)
    case ended(TLSIOResult)

    var isCompleted: Bool {
        if case .completed = self { return true }
        return false
    }

    var error: TLSError? {
        if case .failed(let error) = self { return error }
        return nil
    }
}

/// One TLS endpoint and its socket, as driven by the test loops.
struct Endpoint {
    let connection: TLSConnection
    let fd: Int32
}

enum Driver {
    /// Runs both handshakes to completion or failure. A side that fails half-closes its socket so the other side
    /// sees an alert or EOF instead of waiting forever.
    static func handshake(client: Endpoint, server: Endpoint) throws -> (client: HandshakeOutcome,
                                                                         server: HandshakeOutcome) {
        var outcomes: [HandshakeOutcome?] = [nil, nil]
        var wants: [TLSIOResult] = [.wantRead, .wantRead]
        let sides = [client, server]
        for _ in 0..<10_000 {
            for index in sides.indices where outcomes[index] == nil {
                outcomes[index] = step(sides[index], want: &wants[index])
            }
            let pending = sides.indices.filter { outcomes[$0] == nil }
            if pending.isEmpty, let clientOutcome = outcomes[0], let serverOutcome = outcomes[1] {
                return (clientOutcome, serverOutcome)
            }
            try Poller.wait(pending.map { (sides[$0].fd, Poller.events(for: wants[$0])) })
        }
        throw TestFailure(description: "handshake did not finish in 10000 rounds")
    }

    private static func step(_ side: Endpoint, want: inout TLSIOResult) -> HandshakeOutcome? {
        do {
            let result = try side.connection.handshake()
            switch result {
            case .bytes:
                return .completed
            case .wantRead, .wantWrite:
                want = result
                return nil
            case .closed, .eof:
                Glibc.shutdown(side.fd, Int32(SHUT_WR))
                return .ended(result)
            }
        } catch let error as TLSError {
            Glibc.shutdown(side.fd, Int32(SHUT_WR))
            return .failed(error)
        } catch {
            return .failed(TLSError(operation: "test", message: "\(error)"))
        }
    }

    /// Statistics of a one-way transfer.
    struct Transfer {
        var received: [UInt8] = []
        var writeCalls = 0
        var shortWrites = 0
        var wantWrites = 0
    }

    /// Sends `data` from `writer` to `reader` with both sides non-blocking, and returns what the reader got.
    static func transfer(_ data: [UInt8], from writer: Endpoint, to reader: Endpoint) throws -> Transfer {
        var stats = Transfer()
        var written = 0
        var writerWant = TLSIOResult.wantWrite
        var buffer = [UInt8](repeating: 0, count: 16_384)
        for _ in 0..<100_000 {
            // Like an event loop: write until the socket is full, then read what arrived.
            writing: while written < data.count {
                let result = try data[written...].withUnsafeBytes { try writer.connection.write($0) }
                stats.writeCalls += 1
                switch result {
                case .bytes(let count):
                    stats.shortWrites += count < data.count - written ? 1 : 0
                    written += count
                case .wantWrite, .wantRead:
                    stats.wantWrites += result == .wantWrite ? 1 : 0
                    writerWant = result
                    break writing
                case .closed, .eof:
                    throw TestFailure(description: "writer saw \(result)")
                }
            }
            try drain(reader, into: &buffer, appendingTo: &stats.received)
            if stats.received.count >= data.count {
                return stats
            }
            var interests = [(reader.fd, Int16(POLLIN))]
            if written < data.count {
                interests.append((writer.fd, Poller.events(for: writerWant)))
            }
            try Poller.wait(interests)
        }
        throw TestFailure(description: "transfer stalled after \(stats.received.count) of \(data.count) bytes")
    }

    /// Reads everything currently available.
    private static func drain(_ reader: Endpoint, into buffer: inout [UInt8],
                              appendingTo received: inout [UInt8]) throws {
        while true {
            let result = try buffer.withUnsafeMutableBytes { try reader.connection.read(into: $0) }
            guard case .bytes(let count) = result, count > 0 else {
                if result == .closed || result == .eof {
                    throw TestFailure(description: "reader saw \(result) after \(received.count) bytes")
                }
                return
            }
            received.append(contentsOf: buffer[0..<count])
        }
    }

    /// Reads until the stream ends or errors, returning the data and the final result (`.closed` or `.eof`).
    static func readToEnd(_ reader: Endpoint) throws -> (data: [UInt8], end: TLSIOResult) {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<10_000 {
            let result = try buffer.withUnsafeMutableBytes { try reader.connection.read(into: $0) }
            switch result {
            case .bytes(let count):
                data.append(contentsOf: buffer[0..<count])
            case .wantRead, .wantWrite:
                try Poller.wait([(reader.fd, Poller.events(for: result))])
            case .closed, .eof:
                return (data, result)
            }
        }
        throw TestFailure(description: "stream did not end")
    }
}

/// A server and a client connection over fresh sockets.
struct TLSPair {
    let sockets: ConnectedSockets
    let client: Endpoint
    let server: Endpoint

    init(server serverContext: TLSServerContext, client clientContext: TLSClientContext, serverName: String,
         sockets: ConnectedSockets? = nil) throws {
        let sockets = try sockets ?? ConnectedSockets.unixPair()
        self.sockets = sockets
        server = Endpoint(connection: try TLSConnection(server: serverContext, fd: sockets.serverFD),
                          fd: sockets.serverFD)
        client = Endpoint(connection: try TLSConnection(client: clientContext, fd: sockets.clientFD,
                                                        serverName: serverName),
                          fd: sockets.clientFD)
    }

    func handshake() throws -> (client: HandshakeOutcome, server: HandshakeOutcome) {
        try Driver.handshake(client: client, server: server)
    }
}
