// Tests of the `switchyard` executable: kv commands, routing value checks, check and usage errors.

import Foundation
import SwitchyardKV
import Testing

/// The output of one run of the `switchyard` binary.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the built `switchyard` binary in a temporary folder holding a configuration with one namespace.
final class CLIHarness {
    let folder: ConfigFolder
    let configPath: String

    init(configuration: String? = nil) throws {
        folder = try ConfigFolder()
        configPath = try folder.write("switchyard.json", configuration ?? """
            {
              "listen": [{"address": "127.0.0.1:0"}],
              "kv": {"ROUTING_CONFIG": {"backend": "lmdb", "path": "data/routing"}}
            }
            """)
    }

    /// The binary next to the test bundle, or in the package's .build/debug folder.
    static func binary() throws -> URL {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("switchyard")
        let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let inBuildFolder = repositoryRoot.appendingPathComponent(".build/debug/switchyard")
        for candidate in [besideTests, inBuildFolder] where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        Issue.record("switchyard binary not found at \(besideTests.path) or \(inBuildFolder.path); run `swift build` first")
        throw CocoaError(.fileNoSuchFile)
    }

    /// Runs `switchyard ARGUMENTS` in the harness folder with `input` on standard input (empty by default),
    /// killing it after 30 seconds.
    @discardableResult
    func run(_ arguments: [String], input: [UInt8] = []) throws -> CLIResult {
        let process = Process()
        process.executableURL = try Self.binary()
        process.arguments = arguments
        process.currentDirectoryURL = folder.url
        let outPath = folder.path("stdout-\(UUID().uuidString)")
        let errPath = folder.path("stderr-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardOutput = out
        process.standardError = err
        let inPath = folder.path("stdin-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: inPath, contents: Data(input))
        let inputHandle = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        process.standardInput = inputHandle

        try process.run()
        let watchdog = DispatchWorkItem { [process] in process.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + 30, execute: watchdog)
        process.waitUntilExit()
        watchdog.cancel()
        try out.close()
        try err.close()
        try inputHandle.close()

        return CLIResult(
            status: process.terminationStatus,
            stdout: try String(contentsOfFile: outPath, encoding: .utf8),
            stderr: try String(contentsOfFile: errPath, encoding: .utf8))
    }
}

@Suite struct CLIKeyValueTests {
    let cli: CLIHarness

    init() throws {
        cli = try CLIHarness()
    }

    @Test func putThenGetPrintsValue() throws {
        let value = #"{"origin": "https://storefront-a.example.com"}"#

        let put = try cli.run(["kv", "put", "storeA", value])
        let get = try cli.run(["kv", "get", "storeA"])

        #expect(put.status == 0, "\(put.stderr)")
        #expect(get.status == 0, "\(get.stderr)")
        #expect(get.stdout == value + "\n")
    }

    @Test func getMissingKeyFails() throws {
        try cli.run(["kv", "put", "storeA", #"{"origin": "http://a.example"}"#])

        let get = try cli.run(["kv", "get", "storeB"])

        #expect(get.status == 1)
        #expect(get.stderr.contains(#"key "storeB" not found in namespace ROUTING_CONFIG"#))
        #expect(get.stdout.isEmpty)
    }

    @Test func putIsVisibleToOpenStoreInThisProcess() throws {
        let store = try LMDBStore(path: cli.folder.path("data/routing"))
        #expect(try store.get(database: "ROUTING_CONFIG", key: "storeA") == nil)

        try cli.run(["kv", "put", "storeA", #"{"origin": "https://one.example"}"#])
        #expect(try store.get(database: "ROUTING_CONFIG", key: "storeA") == Array(#"{"origin": "https://one.example"}"#.utf8))

        try cli.run(["kv", "put", "storeA", #"{"origin": "https://two.example"}"#])
        #expect(try store.get(database: "ROUTING_CONFIG", key: "storeA") == Array(#"{"origin": "https://two.example"}"#.utf8))

        try cli.run(["kv", "delete", "storeA"])
        #expect(try store.get(database: "ROUTING_CONFIG", key: "storeA") == nil)
    }

    @Test func listFiltersByPrefix() throws {
        for key in ["shop-b", "shop-a", "other"] {
            try cli.run(["kv", "put", key, #"{"origin": "https://\#(key).example"}"#])
        }

        let plain = try cli.run(["kv", "list", "--prefix", "shop-"])
        let json = try cli.run(["kv", "list", "--json", "--limit", "1"])
        let all = try cli.run(["kv", "list"])

        #expect(plain.stdout == "shop-a\t{\"origin\": \"https://shop-a.example\"}\nshop-b\t{\"origin\": \"https://shop-b.example\"}\n")
        #expect(json.stdout == #"[{"key":"other","value":"{\"origin\": \"https://other.example\"}"}]"# + "\n")
        #expect(all.stdout.split(separator: "\n").count == 3)
    }

    @Test func deleteRemovesKey() throws {
        try cli.run(["kv", "put", "storeA", #"{"origin": "https://a.example"}"#])

        let first = try cli.run(["kv", "delete", "storeA"])
        let second = try cli.run(["kv", "delete", "storeA"])
        let get = try cli.run(["kv", "get", "storeA"])

        #expect(first.status == 0)
        #expect(second.status == 1)
        #expect(second.stderr.contains("not found"))
        #expect(get.status == 1)
    }

    @Test func bulkPutStoresEveryEntry() throws {
        let file = try cli.folder.write("routes.json", """
            [
              {"key": "storeA", "value": {"origin": "https://a.example", "redirect": "follow"}},
              {"key": "storeB", "value": "{\\"origin\\": \\"http://b.example:8080/base\\"}"}
            ]
            """)

        let bulk = try cli.run(["kv", "bulk", "put", file])
        let a = try cli.run(["kv", "get", "storeA"])
        let b = try cli.run(["kv", "get", "storeB"])

        #expect(bulk.status == 0, "\(bulk.stderr)")
        #expect(bulk.stdout.contains("stored 2 keys"))
        #expect(a.stdout == #"{"origin":"https://a.example","redirect":"follow"}"# + "\n")
        #expect(b.stdout == #"{"origin": "http://b.example:8080/base"}"# + "\n")
    }

    @Test func bulkPutWithInvalidEntryStoresNothing() throws {
        let file = try cli.folder.write("routes.json", """
            [
              {"key": "good", "value": {"origin": "https://good.example"}},
              {"key": "bad", "value": {"origin": "ftp://bad.example"}},
              {"key": "good", "value": {"origin": "https://again.example"}},
              {"value": {"origin": "https://nokey.example"}}
            ]
            """)

        let bulk = try cli.run(["kv", "bulk", "put", file])
        let list = try cli.run(["kv", "list"])

        #expect(bulk.status == 1)
        #expect(bulk.stderr.contains("entry [1]"))
        #expect(bulk.stderr.contains("ftp"))
        #expect(bulk.stderr.contains(#"key "good" already appears in entry [0]"#))
        #expect(bulk.stderr.contains("entry [3]"))
        #expect(bulk.stderr.contains("nothing was stored"))
        #expect(list.stdout.isEmpty)
    }

    @Test func bulkPutRawAcceptsAnyValue() throws {
        let file = try cli.folder.write("raw.json", #"[{"key": "n", "value": 42}, {"key": "s", "value": "plain text"}]"#)

        let bulk = try cli.run(["kv", "bulk", "put", file, "--raw"])
        let list = try cli.run(["kv", "list"])

        #expect(bulk.status == 0, "\(bulk.stderr)")
        #expect(list.stdout == "n\t42\ns\tplain text\n")
    }

    @Test func bulkPutRejectsNonArrayFile() throws {
        let file = try cli.folder.write("object.json", #"{"key": "a", "value": "b"}"#)

        let bulk = try cli.run(["kv", "bulk", "put", file])

        #expect(bulk.status == 1)
        #expect(bulk.stderr.contains("must contain a JSON array"))
    }

    static let invalidValues: [(value: String, fragment: String)] = [
        ("not json", "not valid JSON"),
        (#"["https://a.example"]"#, "must be a JSON object"),
        (#"{"url": "https://a.example"}"#, #""origin" is missing"#),
        (#"{"origin": 5}"#, "must be a URL string"),
        (#"{"origin": "a.example"}"#, "is not a valid URL"),
        (#"{"origin": "ftp://a.example"}"#, "must use http or https"),
        (#"{"origin": "https://"}"#, "has no host"),
        (#"{"origin": "https://a.example/?q=1"}"#, "must not have a query"),
        (#"{"origin": "https://a.example#top"}"#, "fragment"),
        (#"{"origin": "https://user:pw@a.example"}"#, "user information"),
        (#"{"origin": "https://a.example", "redirect": "always"}"#, #""redirect" must be "pass" or "follow""#),
        (#"{"origin": "https://a.example", "verifyTLS": "no"}"#, #""verifyTLS" must be true or false"#),
        (#"{"origin": "https://a.example", "caFile": "ca.pem"}"#, #""caFile" must be an absolute path"#),
    ]

    @Test(arguments: invalidValues)
    func putRejectsInvalidRoutingValue(_ value: String, _ fragment: String) throws {
        let put = try cli.run(["kv", "put", "storeA", value])
        let get = try cli.run(["kv", "get", "storeA"])

        #expect(put.status == 1)
        #expect(put.stderr.contains(fragment), "\(put.stderr)")
        #expect(put.stderr.contains("'\(value)'"), "\(put.stderr)")
        #expect(put.stderr.contains(#"{"origin": "https://storefront-a.example.com""#), "\(put.stderr)")
        #expect(get.status == 1)
    }

    @Test func putRawStoresAnyValue() throws {
        let put = try cli.run(["kv", "put", "note", "not json", "--raw"])
        let get = try cli.run(["kv", "get", "note"])

        #expect(put.status == 0, "\(put.stderr)")
        #expect(get.stdout == "not json\n")
    }

    @Test func putWarnsAboutUnknownRoutingKey() throws {
        let put = try cli.run(["kv", "put", "storeA", #"{"origin": "https://a.example", "verifyTls": false}"#])

        #expect(put.status == 0)
        #expect(put.stderr.contains(#"warning:"#))
        #expect(put.stderr.contains(#"unknown key "verifyTls""#))
    }

    @Test func tooLongKeyIsRejected() throws {
        let put = try cli.run(["kv", "put", String(repeating: "k", count: 600), #"{"origin": "https://a.example"}"#])

        #expect(put.status == 1)
        #expect(put.stderr.contains("600 bytes"))
    }
}

@Suite struct CLINamespaceTests {
    static let twoNamespaces = """
        {
          "listen": [{"address": "127.0.0.1:0"}],
          "kv": {"ROUTES": {"backend": "lmdb", "path": "data"}, "FLAGS": {"backend": "lmdb", "path": "data"}}
        }
        """

    @Test func severalNamespacesNeedNamespaceOption() throws {
        let cli = try CLIHarness(configuration: Self.twoNamespaces)

        let put = try cli.run(["kv", "put", "a", "1", "--raw"])

        #expect(put.status == 2)
        #expect(put.stderr.contains("FLAGS, ROUTES"))
        #expect(put.stderr.contains("--namespace"))
    }

    @Test func namespaceOptionSelectsDatabase() throws {
        let cli = try CLIHarness(configuration: Self.twoNamespaces)

        let put = try cli.run(["kv", "put", "a", "1", "--raw", "--namespace", "FLAGS"])
        let flags = try cli.run(["kv", "get", "a", "--namespace=FLAGS"])
        let routes = try cli.run(["kv", "get", "a", "--namespace", "ROUTES"])

        #expect(put.status == 0, "\(put.stderr)")
        #expect(flags.stdout == "1\n")
        #expect(routes.status == 1)
        #expect(routes.stderr.contains("not found in namespace ROUTES"))
    }

    @Test func unknownNamespaceListsConfigured() throws {
        let cli = try CLIHarness(configuration: Self.twoNamespaces)

        let get = try cli.run(["kv", "get", "a", "--namespace", "NOPE"])

        #expect(get.status == 1)
        #expect(get.stderr.contains(#"namespace "NOPE""#))
        #expect(get.stderr.contains("FLAGS, ROUTES"))
    }

    @Test func missingDefaultConfigIsNamed() throws {
        let cli = try CLIHarness()
        try FileManager.default.removeItem(atPath: cli.configPath)

        let get = try cli.run(["kv", "get", "a"])

        #expect(get.status == 1)
        #expect(get.stderr.contains("switchyard.json"))
        #expect(get.stderr.contains("--config"))
    }

    @Test func configOptionNamesAnotherFile() throws {
        let cli = try CLIHarness()
        let other = try cli.folder.write("other/gateway.json", #"{"kv": {"R": {"backend": "lmdb", "path": "r"}}}"#)

        let put = try cli.run(["kv", "put", "a", "1", "--raw", "--config", other])

        #expect(put.status == 0, "\(put.stderr)")
        #expect(FileManager.default.fileExists(atPath: cli.folder.path("other/r/data.mdb")))
    }
}

@Suite struct CLICheckAndUsageTests {
    @Test func checkAcceptsValidConfiguration() throws {
        let cli = try CLIHarness()

        let check = try cli.run(["check", "--config", cli.configPath])

        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout == "configuration OK: 1 listener, 1 namespace, 0 middleware\n")
    }

    @Test func checkPrintsEveryError() throws {
        let cli = try CLIHarness(configuration: #"{"listen": [{"address": "127.0.0.1"}], "workers": 0, "extra": 1}"#)

        let check = try cli.run(["check"])
        let lines = check.stderr.split(separator: "\n")

        #expect(check.status == 1)
        #expect(lines.contains { $0.hasPrefix("error: listen[0].address: ") })
        #expect(lines.contains { $0.hasPrefix("error: workers: ") })
        #expect(lines.contains { $0.hasPrefix("error: extra: ") })
    }

    @Test func checkReportsUnknownMiddleware() throws {
        let cli = try CLIHarness(configuration: """
            {"listen": [{"address": "127.0.0.1:0"}], "middleware": [{"use": "no-such-middleware"}]}
            """)

        let check = try cli.run(["check"])

        #expect(check.status == 1)
        #expect(check.stderr.hasPrefix(#"error: middleware[0].use: unknown middleware "no-such-middleware""#))
    }

    @Test func helpListsCommandsAndOptions() throws {
        let cli = try CLIHarness()

        let help = try cli.run(["--help"])
        let kvHelp = try cli.run(["kv", "put", "--help"])

        #expect(help.status == 0)
        for command in ["serve", "demo", "check", "kv put", "kv get", "kv delete", "kv list", "kv bulk put", "--version"] {
            #expect(help.stdout.contains(command), "\(command)")
        }
        #expect(kvHelp.status == 0)
        for option in ["--config FILE", "--namespace NAME", "--raw", "--prefix P", "--limit N", "--json"] {
            #expect(kvHelp.stdout.contains(option), "\(option)")
        }
    }

    @Test func versionPrintsVersion() throws {
        let version = try CLIHarness().run(["--version"])

        #expect(version.status == 0)
        #expect(version.stdout == "switchyard 0.1.0\n")
    }

    @Test(arguments: [
        (["frobnicate"], #"unknown command "frobnicate""#),
        (["--frob"], #"unknown option "--frob""#),
        (["kv", "put", "a", "b", "--frob"], "unknown option --frob"),
        (["kv", "move", "a"], #"unknown kv command "move""#),
        (["kv", "get"], "missing KEY"),
        (["kv", "get", "a", "b"], #"unexpected argument "b""#),
        (["kv", "list", "--limit", "0"], "--limit"),
        (["check", "--config"], "--config needs a value"),
    ])
    func usageErrorsExitWithTwo(_ arguments: [String], _ fragment: String) throws {
        let result = try CLIHarness().run(arguments)

        #expect(result.status == 2)
        #expect(result.stderr.contains(fragment), "\(result.stderr)")
        #expect(result.stderr.contains("--help"), "\(result.stderr)")
    }
}

@Suite struct CLIStandardInputTests {
    @Test func putReadsValueFromStandardInput() throws {
        let cli = try CLIHarness()
        let value = #"{"origin": "http://127.0.0.1:9000"}"#

        let put = try cli.run(["kv", "put", "storeA", "-"], input: Array((value + "\n").utf8))
        let get = try cli.run(["kv", "get", "storeA"])

        #expect(put.status == 0)
        #expect(get.stdout == value + "\n")
    }

    @Test func putReadsValueLongerThanAnArgument() throws {
        let cli = try CLIHarness()
        let value = String(repeating: "v", count: 300_000)

        let put = try cli.run(["kv", "put", "--raw", "big", "-"], input: Array(value.utf8))
        let get = try cli.run(["kv", "get", "big"])

        #expect(put.status == 0)
        #expect(get.stdout.count == value.count + 1)
    }
}
