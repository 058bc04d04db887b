// `switchyard kv ...`: reads and writes a key-value namespace of the configuration.

import Foundation
import SwitchyardGateway
import SwitchyardKV

enum KVCommand {
    /// The largest bulk file read, in bytes; larger files are rejected rather than read into memory.
    static let maxBulkFileBytes = 256 << 20

    static func run(_ arguments: [String]) throws -> Int32 {
        guard let subcommand = arguments.first else {
            throw CLIError.usage("missing kv command (put, get, delete, list or bulk put)", command: "kv")
        }
        let rest = Array(arguments.dropFirst())
        switch subcommand {
        case "put": return try put(rest)
        case "get": return try get(rest)
        case "delete": return try delete(rest)
        case "list": return try list(rest)
        case "bulk":
            guard rest.first == "put" else {
                throw CLIError.usage("unknown kv bulk command \"\(rest.first ?? "")\"; use `kv bulk put FILE.json`", command: "kv")
            }
            return try bulkPut(Array(rest.dropFirst()))
        default:
            throw CLIError.usage("unknown kv command \"\(subcommand)\"", command: "kv")
        }
    }

    // MARK: Commands

    /// The most bytes `kv put KEY -` reads from standard input.
    static let maxStandardInputBytes = 64 << 20

    /// Reads the value for `kv put KEY -`, for values longer than a command-line argument may be (128 KiB on
    /// Linux). A single trailing newline is dropped, as shells and editors add one.
    static func readStandardInput() throws -> String {
        var data = Data()
        while let chunk = try FileHandle.standardInput.read(upToCount: 64 * 1024), !chunk.isEmpty {
            data.append(chunk)
            guard data.count <= maxStandardInputBytes else {
                throw CLIError.failure("the value on standard input is larger than \(maxStandardInputBytes) bytes")
            }
        }
        if data.last == 0x0A { data.removeLast() }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CLIError.failure("the value on standard input is not valid UTF-8")
        }
        return text
    }

    /// Rejects keys that cannot be a storefront id and that would print ambiguously: control characters, and
    /// U+FFFD, which is what invalid UTF-8 in an argument turns into, so two different invalid keys would
    /// otherwise name the same entry.
    static func checkedKey(_ key: String) throws -> String {
        if let bad = key.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "\u{FFFD}" }) {
            let shown = bad == "\u{FFFD}" ? "invalid UTF-8" : String(format: "the control character U+%04X", bad.value)
            throw CLIError.usage("key contains \(shown); keys are 1 to 511 bytes of printable UTF-8", command: "kv")
        }
        return key
    }

    private static func put(_ arguments: [String]) throws -> Int32 {
        let parsed = try parse(arguments, command: "put", flags: ["raw"])
        try parsed.expectPositionals(["KEY", "VALUE"], command: "kv")
        let key = try checkedKey(parsed.positionals[0])
        let value = parsed.positionals[1] == "-" ? try readStandardInput() : parsed.positionals[1]
        if !parsed.flags.contains("raw") {
            try checkRoutingValue(value, label: "value '\(value)'")
        }

        let target = try openNamespace(parsed, readOnly: false)
        try target.store.put(database: target.database, key: key, value: Array(value.utf8))
        return 0
    }

    private static func get(_ arguments: [String]) throws -> Int32 {
        let parsed = try parse(arguments, command: "get")
        try parsed.expectPositionals(["KEY"], command: "kv")
        let key = try checkedKey(parsed.positionals[0])

        let target = try openNamespace(parsed, readOnly: true)
        guard let value = try target.store.get(database: target.database, key: key) else {
            throw CLIError.failure("key \"\(key)\" not found in namespace \(target.name)")
        }
        Console.out(bytes: value + [UInt8(ascii: "\n")])
        return 0
    }

    private static func delete(_ arguments: [String]) throws -> Int32 {
        let parsed = try parse(arguments, command: "delete")
        try parsed.expectPositionals(["KEY"], command: "kv")
        let key = try checkedKey(parsed.positionals[0])

        let target = try openNamespace(parsed, readOnly: false)
        guard try target.store.delete(database: target.database, key: key) else {
            throw CLIError.failure("key \"\(key)\" not found in namespace \(target.name)")
        }
        return 0
    }

    private static func list(_ arguments: [String]) throws -> Int32 {
        let parsed = try parse(arguments, command: "list", values: ["prefix", "limit"], flags: ["json"])
        try parsed.expectPositionals([], command: "kv")
        let limit = try parseLimit(parsed.values["limit"])

        let target = try openNamespace(parsed, readOnly: true)
        let pairs = try target.store.list(database: target.database, prefix: parsed.values["prefix"] ?? "", limit: limit)
        let texts = pairs.map { (key: $0.key, value: String(decoding: $0.value, as: UTF8.self)) }
        if parsed.flags.contains("json") {
            let entries = texts.map { JSONValue.object(["key": .string($0.key), "value": .string($0.value)]) }
            Console.out((JSONValue.array(entries).compactText ?? "[]") + "\n")
        } else {
            Console.out(texts.map { "\($0.key)\t\($0.value)\n" }.joined())
        }
        return 0
    }

    private static func bulkPut(_ arguments: [String]) throws -> Int32 {
        let parsed = try parse(arguments, command: "bulk put", flags: ["raw"])
        try parsed.expectPositionals(["FILE.json"], command: "kv")
        let pairs = try BulkFile.read(path: parsed.positionals[0], checkRouting: !parsed.flags.contains("raw"))

        let target = try openNamespace(parsed, readOnly: false)
        try target.store.putAll(database: target.database, pairs.map { (key: $0.key, value: Array($0.value.utf8)) })
        Console.out("stored \(pairs.count) \(pairs.count == 1 ? "key" : "keys") in namespace \(target.name)\n")
        return 0
    }

    // MARK: Helpers

    private static func parse(
        _ arguments: [String], command: String, values: Set<String> = [], flags: Set<String> = []
    ) throws -> ParsedArguments {
        try ParsedArguments(
            arguments, command: "kv \(command)", valueOptions: values.union(["config", "namespace"]), flagOptions: flags)
    }

    private static func parseLimit(_ text: String?) throws -> Int {
        guard let text else { return .max }
        guard let limit = Int(text), limit > 0 else {
            throw CLIError.usage("--limit \"\(text)\" is invalid; pass a whole number of keys above 0", command: "kv")
        }
        return limit
    }

    /// Throws with every problem of a routing value, quoting it and showing a correct example; prints warnings.
    static func checkRoutingValue(_ text: String, label: String) throws {
        let findings = RoutingValue.check(text: text)
        for warning in findings where warning.isWarning {
            Console.error("warning: \(label): \(warning.message)\n")
        }
        let problems = findings.filter { !$0.isWarning }
        guard problems.isEmpty else {
            var messages = problems.map { "invalid routing \(label): \($0.message)" }
            messages.append("a routing value looks like \(RoutingValue.example); pass --raw to store any value")
            throw CLIError(messages: messages, exitCode: 1)
        }
    }

    /// Opens the store of the namespace chosen by --namespace, or of the only namespace configured.
    private static func openNamespace(
        _ parsed: ParsedArguments, readOnly: Bool
    ) throws -> (store: LMDBStore, database: String, name: String) {
        let path = try ConfigPath.resolve(parsed)
        let (namespaces, _) = try ConfigurationLoader.loadNamespaces(path: path)
        let names = namespaces.map(\.name)

        let chosen: GatewayConfiguration.Namespace
        if let name = parsed.values["namespace"] {
            guard let match = namespaces.first(where: { $0.name == name }) else {
                let known = names.isEmpty ? "the configuration defines none" : "configured: \(names.joined(separator: ", "))"
                throw CLIError.failure("namespace \"\(name)\" is not in \(path) (\(known))")
            }
            chosen = match
        } else if namespaces.count == 1, let only = namespaces.first {
            chosen = only
        } else if namespaces.isEmpty {
            throw CLIError.failure("\(path) defines no kv namespaces; add one under \"kv\", such as "
                + "{\"ROUTING_CONFIG\": {\"backend\": \"lmdb\", \"path\": \"data/routing\"}}")
        } else {
            throw CLIError.usage("the configuration defines several namespaces (\(names.joined(separator: ", "))); "
                + "choose one with --namespace NAME", command: "kv")
        }

        let access = try KeyValueNamespaces([chosen], readOnly: readOnly)
        guard let (store, database) = access.store(for: chosen.name) else {
            throw CLIError.failure("namespace \(chosen.name) could not be opened")
        }
        return (store, database, chosen.name)
    }
}

/// The file of `kv bulk put`: a JSON array of `{"key": "...", "value": ...}` objects.
enum BulkFile {
    /// Reads and checks every entry; throws with every problem found, so nothing is written unless all are valid.
    static func read(path: String, checkRouting: Bool) throws -> [(key: String, value: String)] {
        let entries = try parseArray(path: path)
        var pairs: [(key: String, value: String)] = []
        var problems: [String] = []
        var firstIndexOfKey: [String: Int] = [:]

        for (index, entry) in entries.enumerated() {
            let label = "\(path): entry [\(index)]"
            switch pair(entry) {
            case .failure(let problem):
                problems.append("\(label): \(problem.message)")
            case .success(let pair):
                if let first = firstIndexOfKey[pair.key] {
                    problems.append("\(label): key \"\(pair.key)\" already appears in entry [\(first)]; keep one")
                    continue
                }
                firstIndexOfKey[pair.key] = index
                if checkRouting {
                    problems += RoutingValue.check(text: pair.value).filter { !$0.isWarning }.map {
                        "\(label) (key \"\(pair.key)\"): invalid routing value '\(pair.value)': \($0.message)"
                    }
                }
                pairs.append(pair)
            }
        }
        guard problems.isEmpty else {
            let hint = "nothing was stored; a routing value looks like \(RoutingValue.example); pass --raw to store any value"
            throw CLIError(messages: problems + [hint], exitCode: 1)
        }
        return pairs
    }

    private struct Problem: Error {
        let message: String
    }

    private static func parseArray(path: String) throws -> [JSONValue] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError.failure("bulk file not found: \(path)")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= KVCommand.maxBulkFileBytes else {
            throw CLIError.failure("\(path) is \(size) bytes; split it into files of at most \(KVCommand.maxBulkFileBytes) bytes")
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: path)), allowJSON5: false)
        } catch {
            throw CLIError.failure("\(path) is not valid JSON (\(error)); it must be an array of {\"key\": ..., \"value\": ...}")
        }
        guard case .array(let entries) = value else {
            throw CLIError.failure("\(path) must contain a JSON array of {\"key\": ..., \"value\": ...}, not \(value.summary)")
        }
        return entries
    }

    /// Returns the key and stored text of one entry: a string value as is, any other value as compact JSON.
    private static func pair(_ entry: JSONValue) -> Result<(key: String, value: String), Problem> {
        guard case .object(let members) = entry else {
            return .failure(Problem(message: "must be an object {\"key\": ..., \"value\": ...}, not \(entry.summary)"))
        }
        if let unknown = members.keys.sorted().first(where: { $0 != "key" && $0 != "value" }) {
            return .failure(Problem(message: "unknown field \"\(unknown)\"; an entry has only \"key\" and \"value\""))
        }
        guard case .string(let key)? = members["key"], !key.isEmpty, key.utf8.count <= 511 else {
            let shown = members["key"]?.summary ?? "nothing"
            return .failure(Problem(message: "\"key\" must be a string of 1 to 511 bytes, not \(shown)"))
        }
        if key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return .failure(Problem(message: "\"key\" must not contain control characters"))
        }
        guard let value = members["value"] else {
            return .failure(Problem(message: "\"value\" is missing"))
        }
        if case .string(let text) = value {
            return .success((key, text))
        }
        guard let text = value.compactText else {
            return .failure(Problem(message: "\"value\" contains NaN or an infinity, which JSON cannot store"))
        }
        return .success((key, text))
    }
}
