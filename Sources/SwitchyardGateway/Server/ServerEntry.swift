// Entry points for the `serve` and `demo` commands: run a gateway until SIGTERM or SIGINT.

import Dispatch
import Foundation
import Glibc
import SwitchyardBuiltins
import SwitchyardPlugin

/// The long-running commands of the command-line tool.
public enum ServerEntry {
    /// Loads the configuration at `configurationPath`, serves until SIGTERM or SIGINT, and returns the exit
    /// status: 0 after a graceful stop, 1 when start-up failed.
    public static func serve(configurationPath: String, workers: Int? = nil) -> Int32 {
        var configuration: GatewayConfiguration
        do {
            configuration = try ConfigurationLoader.load(path: configurationPath)
            if let workers {
                configuration.workers = workers
            }
        } catch {
            printError("\(error)")
            return 1
        }
        return run(configuration: configuration, beforeWait: { _ in })
    }

    /// Builds and runs a gateway from a loaded configuration; `beforeWait` runs once it listens.
    static func run(configuration: GatewayConfiguration, beforeWait: (GatewayServer) -> Void) -> Int32 {
        ignoreSignals()
        let logger = Logger(level: LogLevel(name: configuration.logLevel) ?? .info, sink: StandardErrorLogSink())
        let server: GatewayServer
        do {
            let registry = try makeRegistry(configuration: configuration)
            server = try GatewayServer(configuration: configuration, registry: registry, logger: logger)
        } catch {
            printError("\(error)")
            return 1
        }
        server.start()
        let sources = installSignalHandlers(server: server, grace: configuration.timeouts.shutdownGrace)
        beforeWait(server)
        server.waitUntilStopped()
        sources.forEach { $0.cancel() }
        return 0
    }

    /// A registry with the built-in middleware.
    public static func makeRegistry(configuration: GatewayConfiguration) throws -> MiddlewareRegistry {
        let registry = MiddlewareRegistry()
        try registerBuiltins(into: registry)
        if !configuration.plugins.isEmpty {
            // TODO: load plugin libraries with dlopen; until then a configuration naming plugins cannot start.
            throw ConfigurationError(
                key: "plugins", message: "loading plugin libraries is not supported by this build; remove the key")
        }
        return registry
    }

    private static func ignoreSignals() {
        // OpenSSL writes to sockets with write(2), which raises SIGPIPE on a closed connection.
        signal(SIGPIPE, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        signal(SIGHUP, SIG_IGN)
    }

    private static func installSignalHandlers(server: GatewayServer, grace: Double) -> [DispatchSourceSignal] {
        let queue = DispatchQueue(label: "switchyard.signals")
        var sources: [DispatchSourceSignal] = []
        for signalNumber in [SIGTERM, SIGINT] {
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            var received = false
            source.setEventHandler {
                guard !received else { return }
                received = true
                server.shutdown(grace: grace)
            }
            source.resume()
            sources.append(source)
        }
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: queue)
        hangup.setEventHandler { server.reopenFiles() }
        hangup.resume()
        sources.append(hangup)
        return sources
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }
}
