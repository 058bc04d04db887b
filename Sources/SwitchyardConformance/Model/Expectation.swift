// What a case observed and the rules it is judged by: status, connection state, what the origin received.

/// Everything one HTTP case observed.
struct Observation: Sendable {
    /// Final responses in the order they arrived.
    var responses: [Response] = []
    /// 1xx responses other than 101.
    var interim: [Response] = []
    /// Why reading stopped before all expected responses arrived; nil when they all did.
    var end: StreamEnd?
    /// true when the target closed the connection after the responses, false when it answered a further request.
    var closed: Bool?
    /// How the close looked: clean, without close_notify, reset.
    var closeKind: String?
    /// Bytes the target sent after the expected responses.
    var extra: [UInt8] = []
    /// The requests that reached the scripted origin, probes excluded.
    var origin: [OriginRequest] = []
    /// Free-form facts a custom step recorded.
    var notes: [String: String] = [:]

    var response: Response? { responses.first }
    var status: Int? { response?.status }
}

/// The allowed status of the first final response.
enum StatusRule: Sendable {
    case exactly(Int)
    case oneOf([Int])
    case range(ClosedRange<Int>)
    /// The target must close without any response.
    case noResponse
    /// A 4xx response, or a close without any response.
    case rejected
    case any

    var text: String {
        switch self {
        case .exactly(let code): return "status \(code)"
        case .oneOf(let codes): return "status " + codes.map(String.init).joined(separator: " or ")
        case .range(let range): return "status \(range.lowerBound)-\(range.upperBound)"
        case .noResponse: return "no response"
        case .rejected: return "a 4xx status or a close without response"
        case .any: return ""
        }
    }

    func failure(_ observation: Observation) -> String? {
        let status = observation.status
        let ok: Bool
        switch self {
        case .exactly(let code): ok = status == code
        case .oneOf(let codes): ok = status.map(codes.contains) ?? false
        case .range(let range): ok = status.map(range.contains) ?? false
        case .noResponse: ok = status == nil
        case .rejected: ok = status.map { (400...499).contains($0) } ?? (observation.end != .timedOut)
        case .any: ok = true
        }
        guard !ok else {
            return nil
        }
        let actual = status.map { "got \($0)" } ?? "got no response (\(describe(observation.end)))"
        return "expected \(text), \(actual)"
    }
}

/// Whether the target must close the connection or keep it for another request.
enum ConnectionRule: Sendable {
    case closed
    case kept
    case any

    var text: String {
        switch self {
        case .closed: return "connection closed"
        case .kept: return "connection kept open"
        case .any: return ""
        }
    }
}

/// What must reach the scripted origin.
enum OriginRule: Sendable {
    /// Nothing at all.
    case untouched
    /// Exactly this many requests.
    case reached(Int)
    case any

    var text: String {
        switch self {
        case .untouched: return "origin receives nothing"
        case .reached(let count): return count == 1 ? "origin receives the request" : "origin receives \(count) requests"
        case .any: return ""
        }
    }

    func failure(_ observation: Observation) -> String? {
        let count = observation.origin.count
        switch self {
        case .untouched where count > 0:
            return "origin received \(count) request(s): \(Template.printable(observation.origin[0].raw, limit: 300))"
        case .reached(let expected) where count != expected:
            let first = observation.origin.first.map { ": " + Template.printable($0.raw, limit: 300) } ?? ""
            return "expected \(expected) request(s) at the origin, got \(count)\(first)"
        default:
            return nil
        }
    }
}

/// One more condition on the observation, with its description.
struct Check: Sendable {
    let text: String
    /// Returns why the observation fails the condition, or nil when it holds.
    let failure: @Sendable (Observation) -> String?
}

/// The full expectation of an HTTP case.
struct Expect: Sendable {
    var status: StatusRule
    var connection: ConnectionRule = .any
    var origin: OriginRule = .any
    /// Final responses to read.
    var responses = 1
    var checks: [Check] = []

    var text: String {
        let parts = [status.text, connection.text, origin.text] + checks.map(\.text)
        return parts.filter { !$0.isEmpty }.joined(separator: "; ")
    }

    func failures(_ observation: Observation) -> [String] {
        var failures: [String] = []
        if let failure = status.failure(observation) {
            failures.append(failure)
        }
        switch connection {
        case .closed where observation.closed != true:
            failures.append("expected the connection to close, but it stayed open"
                + (observation.closeKind.map { " (\($0))" } ?? ""))
        case .kept where observation.closed != false:
            failures.append("expected the connection to stay open, but "
                + (observation.closeKind ?? "it did not answer a further request"))
        default:
            break
        }
        if let failure = origin.failure(observation) {
            failures.append(failure)
        }
        // Checks about response details only make sense when a response arrived or none was expected.
        for check in checks {
            if let failure = check.failure(observation) {
                failures.append(failure)
            }
        }
        return failures
    }
}

func describe(_ end: StreamEnd?) -> String {
    switch end {
    case .none: return "complete"
    case .closed(let clean)?: return clean ? "connection closed" : "connection closed without close_notify"
    case .reset?: return "connection reset"
    case .timedOut?: return "timed out"
    case .failed(let reason)?: return reason
    case .malformed(let reason)?: return "malformed response: \(reason)"
    }
}
