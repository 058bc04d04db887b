// Selects cases by profile and filter, runs them one at a time under a watchdog, and collects the results.

import Foundation
import Glibc

/// The result of one case.
public struct CaseResult: Sendable {
    public let testCase: ConformanceCase
    public let outcome: CaseOutcome
    /// Wall time in seconds.
    public let duration: Double
}

/// Runs cases against a target with the suite's scripted origin.
public final class ConformanceRunner {
    public let target: Target
    let origin: ScriptedOrigin
    /// The longest a single case may run before it is reported as failed and abandoned.
    public var caseLimit: Double = 40

    public init(target: Target, origin: ScriptedOrigin) {
        self.target = target
        self.origin = origin
    }

    /// Every case of the catalogue, in catalogue order.
    public static var catalogue: [ConformanceCase] { Catalogue.all }

    /// The cases of `profiles` whose id or title matches `filter`: a glob when it has `*`, `?` or `[`, else a
    /// substring, both without case.
    public static func select(_ cases: [ConformanceCase], profiles: Set<Profile>, filter: String?) -> [ConformanceCase] {
        cases.filter { testCase in
            guard profiles.contains(testCase.profile) else {
                return false
            }
            guard let filter, !filter.isEmpty else {
                return true
            }
            return matches(filter, testCase.id) || matches(filter, testCase.title)
        }
    }

    static func matches(_ pattern: String, _ text: String) -> Bool {
        let lowerPattern = pattern.lowercased()
        let lowerText = text.lowercased()
        if lowerPattern.contains(where: { "*?[".contains($0) }) {
            return fnmatch(lowerPattern, lowerText, 0) == 0
        }
        return lowerText.contains(lowerPattern)
    }

    /// Detects whether the target is Switchyard from one request through the prefix.
    public func detectSwitchyard() {
        guard !target.capabilities.contains(.switchyard) else {
            return
        }
        let context = CaseContext(target: target, origin: origin)
        origin.beginCase(.ok)
        defer { _ = origin.endCase() }
        guard let connection = try? context.connect() else {
            return
        }
        defer { connection.close() }
        var interim: [Response] = []
        let request = "GET {P}/\(ScriptedOrigin.probeMarker) HTTP/1.1\r\nHost: {H}\r\n\r\n"
        guard (try? connection.send(context.bytes(request))) != nil,
            let response = try? connection.readResponse(method: "GET", deadline: .after(5), interim: &interim)
        else {
            return
        }
        let via = response.head.values("via").joined(separator: ",").lowercased()
        if via.contains("switchyard") || response.head.first("x-served-by")?.lowercased() == "switchyard" {
            markSwitchyard()
        }
    }

    private var extraCapabilities: Set<Capability> = []

    private func markSwitchyard() {
        extraCapabilities.insert(.switchyard)
    }

    /// Runs `cases` in order; `progress` sees each result as it arrives.
    public func run(_ cases: [ConformanceCase], progress: (CaseResult) -> Void = { _ in }) -> [CaseResult] {
        let capabilities = target.capabilities.union(extraCapabilities)
        var results: [CaseResult] = []
        for testCase in cases {
            let start = ContinuousClock.now
            let outcome = outcome(of: testCase, capabilities: capabilities)
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let result = CaseResult(testCase: testCase, outcome: outcome, duration: seconds)
            results.append(result)
            progress(result)
        }
        return results
    }

    private func outcome(of testCase: ConformanceCase, capabilities: Set<Capability>) -> CaseOutcome {
        // Exceptions document Switchyard's own deviations, so other proxies still run the case.
        if let exception = testCase.exception, capabilities.contains(.switchyard) {
            return .skipped("documented exception: \(exception)")
        }
        let missing = testCase.needs.subtracting(capabilities)
        if let need = missing.sorted(by: { $0.rawValue < $1.rawValue }).first {
            return .skipped(Self.skipReason(need))
        }
        return runGuarded(testCase)
    }

    static func skipReason(_ need: Capability) -> String {
        switch need {
        case .selfConfigured: return "needs the routes and short timeouts that --self configures"
        case .switchyard: return "checks Switchyard's own behaviour, and the target is not Switchyard"
        case .tls: return "needs a TLS target (https://)"
        case .alternateName: return "needs a second certificate name (--alt-sni NAME)"
        }
    }

    /// Runs the case on its own thread so that a case stuck past `caseLimit` cannot stop the run.
    private func runGuarded(_ testCase: ConformanceCase) -> CaseOutcome {
        let context = CaseContext(target: target, origin: origin, responseTimeout: max(5, target.slowTimeout + 2))
        let box = OutcomeBox()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let outcome: CaseOutcome
            do {
                outcome = try testCase.body(context)
            } catch {
                outcome = .failed(["the case could not run: \(error)"])
            }
            box.set(outcome)
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
        guard done.wait(timeout: .now() + caseLimit) == .success else {
            _ = origin.endCase()
            return .failed(["the case did not finish within \(Int(caseLimit))s"])
        }
        return box.get() ?? .failed(["the case returned no outcome"])
    }
}

/// Hands an outcome from the case thread to the runner.
private final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var outcome: CaseOutcome?

    func set(_ value: CaseOutcome) {
        lock.withLock { outcome = value }
    }

    func get() -> CaseOutcome? {
        lock.withLock { outcome }
    }
}
