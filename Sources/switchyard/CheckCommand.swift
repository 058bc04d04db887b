// `switchyard check`: validates a configuration the way `serve` would load it, without listening.

import Foundation
import SwitchyardGateway
import SwitchyardPlugin

enum CheckCommand {
    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, command: "check", valueOptions: ["config"], flagOptions: [])
        try parsed.expectPositionals([], command: "check")
        let path = try ConfigPath.resolve(parsed)

        let (loaded, loadErrors) = ConfigurationLoader.loadReportingAllErrors(path: path)
        guard let configuration = loaded else {
            throw CLIError(messages: loadErrors.map(\.description), exitCode: 1)
        }
        let namespaces = try KeyValueNamespaces(configuration: configuration)
        let errors = GatewayServer.tlsErrors(configuration) + (try middlewareErrors(configuration, namespaces: namespaces))
        guard errors.isEmpty else {
            throw CLIError(messages: errors.map(\.description), exitCode: 1)
        }

        let counts = [
            plural(configuration.listeners.count, "listener"), plural(configuration.namespaces.count, "namespace"),
            "\(configuration.middleware.count) middleware",
        ].joined(separator: ", ")
        Console.out("configuration OK: \(counts)\n")
        return 0
    }

    private static func middlewareErrors(
        _ configuration: GatewayConfiguration, namespaces: KeyValueNamespaces
    ) throws -> [ConfigurationError] {
        let registry: MiddlewareRegistry
        do {
            registry = try PluginLoader.makeRegistry(plugins: configuration.plugins).registry
        } catch {
            throw CLIError.failure("\(error)")
        }
        let environment = PluginEnvironment(
            configDirectory: configuration.directory, keyValue: namespaces, logger: .disabled,
            defaultRedirectMode: Upstream.RedirectMode(rawValue: configuration.redirect) ?? .pass)
        return MiddlewareChain.validate(configuration: configuration, registry: registry, environment: environment)
    }
}

/// The configuration file named by --config, or switchyard.json in the current folder.
enum ConfigPath {
    static let defaultName = "switchyard.json"

    static func resolve(_ parsed: ParsedArguments) throws -> String {
        if let path = parsed.values["config"] {
            return path
        }
        let path = FileManager.default.currentDirectoryPath + "/" + defaultName
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError.failure(
                "configuration file not found: \(path) (the default when --config is not given); pass --config FILE")
        }
        return path
    }
}

/// "1 listener", "2 listeners".
private func plural(_ count: Int, _ noun: String) -> String {
    count == 1 ? "1 \(noun)" : "\(count) \(noun)s"
}
