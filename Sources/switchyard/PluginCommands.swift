// `switchyard plugin new`, `switchyard plugins` and `switchyard reload`: scaffold, list and reload plugins.

import Foundation
import Glibc
import SwitchyardGateway
import SwitchyardPlugin

enum PluginCommand {
    /// `plugin new NAME [--dir D] [--api-path P]`.
    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, command: "plugin", valueOptions: ["dir", "api-path"], flagOptions: [])
        guard parsed.positionals.first == "new" else {
            throw CLIError.usage("expected `plugin new NAME`", command: "plugin")
        }
        try parsed.expectPositionals(["new", "NAME"], command: "plugin")
        let apiPath = try parsed.values["api-path"].map(checkAPIPath) ?? findAPIPath()
        let scaffold = try PluginScaffold(name: parsed.positionals[1], apiPath: apiPath)

        let parent = URL(fileURLWithPath: parsed.values["dir"] ?? FileManager.default.currentDirectoryPath)
        let folder = parent.appendingPathComponent(scaffold.name).standardizedFileURL
        do {
            try scaffold.write(into: folder)
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError.failure("could not write the plugin package into \(folder.path): \(error)")
        }
        Console.out("""
            created \(folder.path)
              plugin API: \(apiPath)
            next:
              cd \(folder.path) && swift build -c release
              then add "\(folder.path)/\(scaffold.releaseLibrary)" to "plugins" and { "use": "\(scaffold.name)" } to "middleware"

            """)
        return 0
    }

    /// Returns `path` made absolute if it contains the plugin API's Package.swift.
    private static func checkAPIPath(_ path: String) throws -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) else {
            throw CLIError.failure("--api-path \(url.path) contains no Package.swift; pass the gateway's plugins/api folder")
        }
        return url.path
    }

    /// Finds `plugins/api` in a folder above the running binary, which lives in the checkout's `.build` folder.
    static func findAPIPath() throws -> String {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var folder = executable.deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("plugins/api")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("Package.swift").path) {
                return candidate.path
            }
            folder = folder.deletingLastPathComponent()
        }
        throw CLIError.failure(
            "plugins/api not found above \(executable.path); pass --api-path with the gateway checkout's plugins/api folder")
    }
}

enum PluginsCommand {
    /// `plugins [--config F]`: prints every registered middleware with its library, version and phases.
    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, command: "plugins", valueOptions: ["config"], flagOptions: [])
        try parsed.expectPositionals([], command: "plugins")
        let path = try ConfigPath.resolve(parsed)
        let configuration = try ConfigurationLoader.load(path: path)
        let keyValue = try KeyValueNamespaces(configuration: configuration)
        let registry = try PluginLoader.makeRegistry(plugins: configuration.plugins).registry
        let environment = PluginEnvironment(configDirectory: configuration.directory, keyValue: keyValue, logger: .disabled)

        var rows = [["NAME", "VERSION", "PHASES", "LIBRARY"]]
        for descriptor in registry.all {
            let phases = phaseList(descriptor, configuration: configuration, environment: environment)
            rows.append([descriptor.name, descriptor.version, phases, descriptor.library])
        }
        Console.out(table(rows))
        return 0
    }

    /// Returns the phases of an instance built from the first entry that uses the middleware, else from empty
    /// options, because phases belong to instances. Returns `?` when neither builds.
    private static func phaseList(
        _ descriptor: MiddlewareDescriptor, configuration: GatewayConfiguration, environment: PluginEnvironment
    ) -> String {
        let entry = configuration.middleware.first { $0.use == descriptor.name }
        let options = MiddlewareOptions(values: entry?.options ?? [:], keyPath: entry?.keyPath ?? "middleware[?]")
        guard let instance = try? descriptor.make(options, environment) else {
            return "?"
        }
        return instance.phases.description
    }

    private static func table(_ rows: [[String]]) -> String {
        let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).enumerated().map { index, cell in
                index == 3 ? cell.0 : cell.0.padding(toLength: cell.1, withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}

enum ReloadCommand {
    /// `reload --pid-file F [--config C]`: validates C if given, then sends SIGHUP to the process in F.
    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, command: "reload", valueOptions: ["pid-file", "config"], flagOptions: [])
        try parsed.expectPositionals([], command: "reload")
        guard let pidFile = parsed.values["pid-file"] else {
            throw CLIError.usage("missing --pid-file FILE, the file given to `serve --pid-file`", command: "reload")
        }
        if let configPath = parsed.values["config"] {
            // The same checks as `switchyard check`, so a broken file is reported here and never sent to the gateway.
            _ = try CheckCommand.run(["--config", configPath])
        }
        let pid: Int32
        do {
            pid = try PIDFile.read(pidFile)
        } catch {
            throw CLIError.failure("\(error)")
        }
        // A pid file left behind by a crash may name a process that reused the id; signal only a gateway.
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")) ?? ""
        guard URL(fileURLWithPath: executable).lastPathComponent == "switchyard" else {
            let found = executable.isEmpty ? "no running process" : executable
            throw CLIError.failure(
                "process \(pid) from \(pidFile) is not a switchyard gateway (found \(found)); the file is stale: "
                    + "remove it and pass the pid file of the running gateway")
        }
        guard kill(pid, SIGHUP) == 0 else {
            let reason = String(cString: strerror(errno))
            throw CLIError.failure("could not signal process \(pid) from \(pidFile): \(reason); is the gateway still running?")
        }
        Console.out("sent SIGHUP to \(pid); the gateway logs \"configuration reloaded\" or why it rejected the file\n")
        return 0
    }
}
