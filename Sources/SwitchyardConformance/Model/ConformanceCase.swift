// The conformance case model: identity, the clause that requires it, what is sent and what must happen.

/// A group of cases selected with `--profile`.
public enum Profile: String, Sendable, CaseIterable {
    /// Generic HTTP/1.1 intermediary checks that any proxy should pass.
    case rfc
    /// Switchyard's reference behaviour (exact local texts, injected headers) and product features.
    case switchyard
    /// TLS protocol checks.
    case tls
}

/// What a case needs from the target beyond a route from the prefix to the scripted origin.
public enum Capability: String, Sendable, Hashable {
    /// The target is Switchyard configured as `--self` configures it (extra routes, short timeouts).
    case selfConfigured
    /// The target is Switchyard (its responses carry `Via: 1.1 switchyard` or `X-Served-By: Switchyard`).
    case switchyard
    /// The target serves TLS.
    case tls
    /// A second certificate name is known (`--alt-sni`), to check SNI certificate selection.
    case alternateName
}

/// One check of the suite.
public struct ConformanceCase: Sendable {
    /// A stable identifier such as `framing.cl-te-rejected`.
    public let id: String
    public let title: String
    /// The requirement, such as `RFC 9112 §6.1` or `Switchyard docs: README "Built-in middleware"`.
    public let clause: String
    public let profile: Profile
    /// The bytes sent, printable: CR and LF shown as `\r` and `\n`, `{P}` for the prefix and `{H}` for the host.
    public let sent: String
    /// The expected outcome in words.
    public let expected: String
    /// When set, the case is a documented exception of Switchyard's: against Switchyard it is reported as skipped
    /// with this reason and never run; other targets run it.
    public let exception: String?
    /// Capabilities the target must have; a case whose needs are not met is skipped with the reason.
    public let needs: Set<Capability>
    let body: @Sendable (CaseContext) throws -> CaseOutcome

    init(id: String, title: String, clause: String, profile: Profile, sent: String, expected: String,
         exception: String? = nil, needs: Set<Capability> = [],
         body: @escaping @Sendable (CaseContext) throws -> CaseOutcome) {
        self.id = id
        self.title = title
        self.clause = clause
        self.profile = profile
        self.sent = sent
        self.expected = expected
        self.exception = exception
        self.needs = needs
        self.body = body
    }
}

/// The result of running one case.
public enum CaseOutcome: Sendable, Equatable {
    case passed
    /// The reasons the target's behaviour differs from the expectation.
    case failed([String])
    /// Why the case did not run.
    case skipped(String)
}

/// A failure of the suite's own machinery inside a case (a socket call failed, a deadline passed).
struct CaseError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
