// Runs the whole conformance catalogue against an in-process Switchyard, as `switchyard conformance --self` does.

import Glibc
import Testing
@testable import SwitchyardConformance

@Test func selfConformanceHasNoFailures() throws {
    signal(SIGPIPE, SIG_IGN)
    let instance = try SelfTarget()
    defer { instance.stop() }
    let runner = ConformanceRunner(target: instance.target, origin: instance.origin)
    let results = runner.run(ConformanceRunner.catalogue)
    let failed = Report.failedIDs(results)
    let failedResults = results.filter { failed.contains($0.testCase.id) }

    #expect(results.count >= 150)
    #expect(failed.isEmpty, "failed cases: \(failed.joined(separator: ", "))\n\(Report.table(failedResults))")
}
