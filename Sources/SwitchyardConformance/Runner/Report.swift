// Renders results as a human table, a case list or a JSON report; the summary line is always last.

import Foundation

/// Text renderings of a run.
public enum Report {
    /// `N passed, N failed, N skipped`.
    public static func summary(_ results: [CaseResult]) -> String {
        let counts = tally(results)
        return "\(counts.passed) passed, \(counts.failed) failed, \(counts.skipped) skipped"
    }

    public static func tally(_ results: [CaseResult]) -> (passed: Int, failed: Int, skipped: Int) {
        var counts = (passed: 0, failed: 0, skipped: 0)
        for result in results {
            switch result.outcome {
            case .passed: counts.passed += 1
            case .failed: counts.failed += 1
            case .skipped: counts.skipped += 1
            }
        }
        return counts
    }

    /// The ids of the failed cases.
    public static func failedIDs(_ results: [CaseResult]) -> [String] {
        results.compactMap { result in
            if case .failed = result.outcome {
                return result.testCase.id
            }
            return nil
        }
    }

    /// One line per case, then the details of failures and skips, then the summary.
    public static func table(_ results: [CaseResult]) -> String {
        let width = max(results.map(\.testCase.id.count).max() ?? 0, 2)
        var lines = ["RESULT  " + "ID".padding(toLength: width, withPad: " ", startingAt: 0) + "  TIME   TITLE"]
        for result in results {
            let id = result.testCase.id.padding(toLength: width, withPad: " ", startingAt: 0)
            let time = String(format: "%5.2fs", result.duration)
            lines.append("\(label(result.outcome))  \(id)  \(time) \(result.testCase.title)")
            switch result.outcome {
            case .passed:
                break
            case .failed(let reasons):
                lines.append("        clause:   \(result.testCase.clause)")
                lines.append("        sent:     \(result.testCase.sent)")
                lines.append("        expected: \(result.testCase.expected)")
                lines += reasons.map { "        actual:   \($0)" }
            case .skipped(let reason):
                lines.append("        skipped:  \(reason)")
            }
        }
        lines.append(summary(results))
        return lines.joined(separator: "\n") + "\n"
    }

    /// The catalogue as a table for `--list`, then the count as the summary line with nothing run.
    /// The cases as a JSON array of objects with `id`, `title`, `profile`, `clause`, `sent`, `expected` and
    /// `exception` (null when the case has none).
    public static func listJSON(_ cases: [ConformanceCase]) -> String {
        let objects: [[String: Any]] = cases.map { testCase in
            [
                "id": testCase.id, "title": testCase.title, "profile": testCase.profile.rawValue,
                "clause": testCase.clause, "sent": testCase.sent, "expected": testCase.expected,
                "exception": testCase.exception as Any? ?? NSNull(),
            ]
        }
        let data = (try? JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    public static func list(_ cases: [ConformanceCase]) -> String {
        var lines: [String] = []
        for testCase in cases {
            let exception = testCase.exception.map { "  [exception: \($0)]" } ?? ""
            lines.append("\(testCase.id)  (\(testCase.profile.rawValue), \(testCase.clause))\(exception)")
            lines.append("    \(testCase.title)")
            lines.append("    sent:     \(testCase.sent)")
            lines.append("    expected: \(testCase.expected)")
        }
        lines.append("\(cases.count) cases")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A JSON object with the target, every case with its outcome, and the counts.
    public static func json(_ results: [CaseResult], target: String) -> String {
        let counts = tally(results)
        let cases: [[String: Any]] = results.map { result in
            var entry: [String: Any] = [
                "id": result.testCase.id, "title": result.testCase.title, "clause": result.testCase.clause,
                "profile": result.testCase.profile.rawValue, "sent": result.testCase.sent,
                "expected": result.testCase.expected, "seconds": (result.duration * 1000).rounded() / 1000,
            ]
            switch result.outcome {
            case .passed:
                entry["result"] = "passed"
            case .failed(let reasons):
                entry["result"] = "failed"
                entry["failures"] = reasons
            case .skipped(let reason):
                entry["result"] = "skipped"
                entry["reason"] = reason
            }
            return entry
        }
        let root: [String: Any] = [
            "target": target, "passed": counts.passed, "failed": counts.failed, "skipped": counts.skipped,
            "cases": cases,
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }

    private static func label(_ outcome: CaseOutcome) -> String {
        switch outcome {
        case .passed: return "pass  "
        case .failed: return "FAIL  "
        case .skipped: return "skip  "
        }
    }
}
