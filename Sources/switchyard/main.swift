// The `switchyard` command: serve, demo, check, kv and the plugin commands, with a small hand-written argument parser.

import Foundation
import SwitchyardGateway
import SwitchyardPlugin

/// Runs the command named by the first argument; returns the exit status.
func runCommand(_ arguments: [String]) throws -> Int32 {
    guard let command = arguments.first else {
        Console.error(Usage.main)
        return 2
    }
    let rest = Array(arguments.dropFirst())
    let options = rest.prefix { $0 != "--" }
    if options.contains("--help") || options.contains("-h") {
        guard let text = Usage.text(for: command) else {
            throw CLIError.usage("unknown command \"\(command)\"", command: "")
        }
        Console.out(text)
        return 0
    }

    switch command {
    case "--help", "-h", "help":
        return help(rest)
    case "--version", "version":
        Console.out("switchyard \(SwitchyardVersion.current)\n")
        return 0
    case "serve":
        let parsed = try ParsedArguments(
            rest, command: "serve", valueOptions: ["config", "workers", "pid-file"], flagOptions: [])
        try parsed.expectPositionals([], command: "serve")
        var workers: Int?
        if let text = parsed.values["workers"] {
            guard let count = Int(text), (1...256).contains(count) else {
                throw CLIError.usage("--workers must be a whole number from 1 to 256, not \"\(text)\"", command: "serve")
            }
            workers = count
        }
        return ServerEntry.serve(
            configurationPath: try ConfigPath.resolve(parsed), workers: workers, pidFile: parsed.values["pid-file"])
    case "demo":
        return ServerEntry.demo(arguments: rest)
    case "check":
        return try CheckCommand.run(rest)
    case "kv":
        return try KVCommand.run(rest)
    case "plugin":
        return try PluginCommand.run(rest)
    case "plugins":
        return try PluginsCommand.run(rest)
    case "reload":
        return try ReloadCommand.run(rest)
    case "conformance":
        return try ConformanceCommand.run(rest)
    default:
        let kind = command.hasPrefix("-") ? "option" : "command"
        throw CLIError.usage("unknown \(kind) \"\(command)\"", command: "")
    }
}

func help(_ arguments: [String]) -> Int32 {
    guard let topic = arguments.first else {
        Console.out(Usage.main)
        return 0
    }
    guard let text = Usage.text(for: topic) else {
        Console.error("error: unknown command \"\(topic)\"; see `switchyard --help`\n")
        return 2
    }
    Console.out(text)
    return 0
}

let status: Int32
do {
    status = try runCommand(Array(CommandLine.arguments.dropFirst()))
} catch let error as CLIError {
    Console.error(error.messages.map { "error: \($0)\n" }.joined())
    status = error.exitCode
} catch {
    Console.error("error: \(error)\n")
    status = 1
}
exit(status)
