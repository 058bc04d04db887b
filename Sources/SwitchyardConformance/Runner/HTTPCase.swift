// Builds and runs the table-driven HTTP cases: send steps, read responses, check the connection and the origin.

import Foundation

/// One action of the client in an HTTP case.
enum Step: Sendable {
    /// Sends a template (see `Template`).
    case send(String)
    /// Waits this many seconds; used by slow-client cases.
    case pause(Double)
    /// Reads one final response before going on.
    case read(method: String)
    /// Waits up to three seconds for a 1xx response (as after Expect: 100-continue); a final response is kept.
    case readInterim
    /// Closes the write side (TCP FIN, after close_notify on TLS) and keeps reading.
    case closeWrite
    /// Closes the whole connection without close_notify and stops; the case then only checks the origin.
    case abort

    var printable: String {
        switch self {
        case .send(let text): return Template.printable(template: text)
        case .pause(let seconds): return "<pause \(seconds)s>"
        case .read: return "<read response>"
        case .readInterim: return "<wait for 100 Continue>"
        case .closeWrite: return "<close write side>"
        case .abort: return "<close without close_notify>"
        }
    }
}

/// The runner's view of one case run: the target, the origin and helpers.
final class CaseContext: @unchecked Sendable {
    let target: Target
    let origin: ScriptedOrigin
    /// Seconds allowed for one response in an ordinary case.
    let responseTimeout: Double

    init(target: Target, origin: ScriptedOrigin, responseTimeout: Double = 5) {
        self.target = target
        self.origin = origin
        self.responseTimeout = responseTimeout
    }

    /// Opens a connection to the target; TLS targets get a handshake with the target's options unless given others.
    func connect(tls options: TLSClientOptions? = nil) throws -> TargetConnection {
        let tls = target.usesTLS ? (options ?? target.tlsOptions()) : nil
        return try TargetConnection.open(target, tls: tls)
    }

    func bytes(_ template: String) -> [UInt8] {
        Template.bytes(template, prefix: target.prefix, host: target.authority)
    }
}

extension ConformanceCase {
    /// An HTTP case sending one template.
    static func http(
        _ id: String, _ title: String, _ clause: String, profile: Profile = .rfc, send: String,
        origin: OriginScript = .ok, expect: Expect, methods: [String]? = nil, timeout: Double? = nil,
        exception: String? = nil, needs: Set<Capability> = []
    ) -> ConformanceCase {
        http(id, title, clause, profile: profile, steps: [.send(send)], origin: origin, expect: expect,
             methods: methods, timeout: timeout, exception: exception, needs: needs)
    }

    /// An HTTP case with several steps.
    static func http(
        _ id: String, _ title: String, _ clause: String, profile: Profile = .rfc, steps: [Step],
        origin: OriginScript = .ok, expect: Expect, methods: [String]? = nil, timeout: Double? = nil,
        exception: String? = nil, needs: Set<Capability> = []
    ) -> ConformanceCase {
        let sent = steps.map(\.printable).joined(separator: " ")
        return ConformanceCase(
            id: id, title: title, clause: clause, profile: profile, sent: sent, expected: expect.text,
            exception: exception, needs: needs
        ) { context in
            let run = HTTPCaseRun(context: context, steps: steps, origin: origin, expect: expect,
                                  methods: methods ?? Self.defaultMethods(steps, count: expect.responses),
                                  timeout: timeout ?? context.responseTimeout)
            let failures = expect.failures(try run.observe())
            return failures.isEmpty ? .passed : .failed(failures)
        }
    }

    /// The method of the first request, repeated, so HEAD cases read responses without a body.
    private static func defaultMethods(_ steps: [Step], count: Int) -> [String] {
        for case .send(let text) in steps {
            let method = text.split(separator: " ", maxSplits: 1).first.map(String.init) ?? "GET"
            return Array(repeating: method, count: max(count, 1))
        }
        return Array(repeating: "GET", count: max(count, 1))
    }
}

/// Runs one HTTP case and collects what happened.
struct HTTPCaseRun {
    let context: CaseContext
    let steps: [Step]
    let origin: OriginScript
    let expect: Expect
    let methods: [String]
    let timeout: Double

    func observe() throws -> Observation {
        context.origin.beginCase(origin)
        var observation = Observation()
        let connection: TargetConnection
        do {
            connection = try context.connect()
        } catch {
            _ = context.origin.endCase()
            throw error
        }
        defer { connection.close() }

        let aborted = perform(connection, &observation)
        if !aborted {
            readResponses(connection, &observation)
            checkConnection(connection, &observation)
        }
        // Give a request the proxy forwards after its response a moment to reach the origin.
        Thread.sleep(forTimeInterval: 0.05)
        observation.origin = context.origin.endCase()
        return observation
    }

    /// Runs the steps; returns true when the case aborted the connection.
    private func perform(_ connection: TargetConnection, _ observation: inout Observation) -> Bool {
        for step in steps {
            switch step {
            case .send(let text):
                do {
                    try connection.send(context.bytes(text))
                } catch {
                    // The target may close early, after rejecting the first bytes; its answer is still read.
                    observation.notes["send"] = "\(error)"
                    return false
                }
            case .pause(let seconds):
                Thread.sleep(forTimeInterval: seconds)
            case .read(let method):
                readOne(connection, method: method, &observation)
            case .readInterim:
                readInterim(connection, &observation)
            case .closeWrite:
                connection.tls?.sendCloseNotify()
                connection.socket.shutdownWrite()
            case .abort:
                connection.socket.close()
                return true
            }
        }
        return false
    }

    private func readResponses(_ connection: TargetConnection, _ observation: inout Observation) {
        while observation.end == nil && observation.responses.count < expect.responses {
            let index = observation.responses.count
            readOne(connection, method: index < methods.count ? methods[index] : "GET", &observation)
        }
    }

    private func readOne(_ connection: TargetConnection, method: String, _ observation: inout Observation) {
        guard observation.end == nil else {
            return
        }
        do {
            let response = try connection.readResponse(
                method: method, deadline: .after(timeout), interim: &observation.interim)
            observation.responses.append(response)
        } catch let end as StreamEnd {
            observation.end = end
        } catch {
            observation.end = .failed("\(error)")
        }
    }

    private func readInterim(_ connection: TargetConnection, _ observation: inout Observation) {
        do {
            let head = try connection.stream.readHead(deadline: .after(3))
            let response = Response(head: head, body: [], framing: "none")
            if (100...199).contains(response.status) {
                observation.interim.append(response)
            } else {
                observation.notes["interim"] = "a final \(response.status) came instead of 100 Continue"
                observation.responses.append(response)
            }
        } catch {
            observation.notes["interim"] = "no 100 Continue: \(error)"
        }
    }

    private func checkConnection(_ connection: TargetConnection, _ observation: inout Observation) {
        if let end = observation.end, end != .timedOut {
            observation.closed = true
            observation.closeKind = describe(end)
            return
        }
        switch expect.connection {
        case .closed:
            let (result, extra) = connection.waitForClose(deadline: .after(min(timeout, 5)))
            observation.extra = extra
            observation.closed = result != .timedOut
            observation.closeKind = result == .timedOut ? "no close within \(min(timeout, 5))s" : "\(result)"
        case .kept:
            probe(connection, &observation)
        case .any:
            break
        }
    }

    /// Sends a further request on the same connection; an answer means the connection was kept.
    private func probe(_ connection: TargetConnection, _ observation: inout Observation) {
        let request = "GET {P}/\(ScriptedOrigin.probeMarker) HTTP/1.1\r\nHost: {H}\r\n\r\n"
        do {
            try connection.send(context.bytes(request))
            var interim: [Response] = []
            let response = try connection.readResponse(method: "GET", deadline: .after(timeout), interim: &interim)
            observation.closed = false
            if response.status != 200 {
                observation.notes["probe"] = "a further request got \(response.status)"
            }
        } catch {
            observation.closed = true
            observation.closeKind = "a further request failed: \(error)"
        }
    }
}
