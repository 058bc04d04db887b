// `switchyard conformance`: runs the HTTP/1.1 and TLS conformance suite against --self or a loopback --target.

import Foundation
import SwitchyardConformance

enum ConformanceCommand {
    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(
            arguments, command: "conformance",
            valueOptions: ["target", "prefix", "origin-port", "sni", "alt-sni", "ca", "profile", "filter",
                           "slow-timeout"],
            flagOptions: ["self", "insecure", "list", "json"])
        try parsed.expectPositionals([], command: "conformance")
        let cases = ConformanceRunner.select(
            ConformanceRunner.catalogue, profiles: try profiles(parsed), filter: parsed.values["filter"])
        if cases.isEmpty {
            // A mistyped filter would otherwise end in "0 passed, 0 failed" and exit 0, which reads as a pass.
            throw CLIError.usage(
                "no case matches --filter \"\(parsed.values["filter"] ?? "")\" in the selected profiles; "
                    + "see the ids with --list", command: "conformance")
        }

        if parsed.flags.contains("list") {
            Console.out(parsed.flags.contains("json") ? Report.listJSON(cases) + "\n" : Report.list(cases))
            return 0
        }
        let results: [CaseResult]
        let targetText: String
        if parsed.flags.contains("self") {
            guard parsed.values["target"] == nil else {
                throw CLIError.usage("--self and --target exclude each other; pass one", command: "conformance")
            }
            (results, targetText) = try runSelf(cases, json: parsed.flags.contains("json"))
        } else {
            (results, targetText) = try runTarget(cases, parsed)
        }
        if parsed.flags.contains("json") {
            // Standard output stays one JSON document; the summary line goes to standard error.
            Console.out(Report.json(results, target: targetText) + "\n")
            Console.error(Report.summary(results) + "\n")
        } else {
            Console.out(Report.table(results))
        }
        return Report.tally(results).failed == 0 ? 0 : 1
    }

    private static func profiles(_ parsed: ParsedArguments) throws -> Set<Profile> {
        let text = parsed.values["profile"] ?? "all"
        if text == "all" {
            return Set(Profile.allCases)
        }
        var selected: Set<Profile> = []
        for name in text.split(separator: ",") {
            guard let profile = Profile(rawValue: String(name)) else {
                throw CLIError.usage("unknown profile \"\(name)\"; use rfc, switchyard, tls or all", command: "conformance")
            }
            selected.insert(profile)
        }
        return selected
    }

    private static func runSelf(_ cases: [ConformanceCase], json: Bool) throws -> ([CaseResult], String) {
        signal(SIGPIPE, SIG_IGN)
        let instance: SelfTarget
        do {
            instance = try SelfTarget()
        } catch {
            throw CLIError.failure("starting the in-process gateway failed: \(error)")
        }
        defer { instance.stop() }
        let runner = ConformanceRunner(target: instance.target, origin: instance.origin)
        let results = runner.run(cases, progress: progressPrinter(json: json))
        return (results, "--self (Switchyard in process on 127.0.0.1:\(instance.target.port))")
    }

    private static func runTarget(_ cases: [ConformanceCase], _ parsed: ParsedArguments) throws
        -> ([CaseResult], String)
    {
        guard let url = parsed.values["target"] else {
            throw CLIError.usage("pass --self, or --target https://HOST:PORT with --origin-port", command: "conformance")
        }
        guard let portText = parsed.values["origin-port"], let port = Int(portText), (1...65535).contains(port) else {
            throw CLIError.usage("--target needs --origin-port N (1 to 65535): the port the proxy forwards the prefix to",
                                 command: "conformance")
        }
        var slowTimeout = 10.0
        if let text = parsed.values["slow-timeout"] {
            guard let value = Double(text), (0.5...120).contains(value) else {
                throw CLIError.usage("--slow-timeout must be seconds from 0.5 to 120, not \"\(text)\"", command: "conformance")
            }
            slowTimeout = value
        }
        signal(SIGPIPE, SIG_IGN)
        let target: Target
        let origin: ScriptedOrigin
        do {
            target = try Target(url: url, prefix: parsed.values["prefix"] ?? "/conf", serverName: parsed.values["sni"],
                                alternateName: parsed.values["alt-sni"], caFile: parsed.values["ca"],
                                insecure: parsed.flags.contains("insecure"), slowTimeout: slowTimeout)
            origin = try ScriptedOrigin(port: port)
        } catch {
            throw CLIError.failure("\(error)")
        }
        defer { origin.stop() }
        let runner = ConformanceRunner(target: target, origin: origin)
        runner.detectSwitchyard()
        let results = runner.run(cases, progress: progressPrinter(json: parsed.flags.contains("json")))
        return (results, url)
    }

    /// Prints one line per case on standard error, so a long run shows progress without mixing into the report.
    private static func progressPrinter(json: Bool) -> (CaseResult) -> Void {
        { result in
            let mark: String
            switch result.outcome {
            case .passed: mark = "pass"
            case .failed: mark = "FAIL"
            case .skipped: mark = "skip"
            }
            Console.error("\(mark) \(result.testCase.id)\n")
        }
    }
}
