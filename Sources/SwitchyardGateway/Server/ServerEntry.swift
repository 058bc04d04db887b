// Entry points for the `serve` and `demo` commands: run a gateway until SIGTERM or SIGINT.

import Dispatch
import Foundation
import Glibc
import SwitchyardBuiltins
import SwitchyardPlugin

/// The long-running commands of the command-line tool.
public enum ServerEntry {
    /// Loads the configuration at `configurationPath`, serves until SIGTERM or SIGINT, and returns the exit
    /// status: 0 after a graceful stop, 1 when start-up failed. SIGHUP reloads the configuration from the same
    /// path. With `pidFile`, the process id is written there once the gateway listens and removed at exit.
    public static func serve(configurationPath: String, workers: Int? = nil, pidFile: String? = nil) -> Int32 {
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
        let reload = ReloadSettings(configurationPath: configurationPath, workersOverride: workers)
        return run(configuration: configuration, reload: reload, pidFile: pidFile, beforeWait: { _ in })
    }

    /// Where SIGHUP rereads the configuration from.
    struct ReloadSettings {
        var configurationPath: String
        var workersOverride: Int?
    }

    /// Builds and runs a gateway from a loaded configuration; `beforeWait` runs once it listens. Without
    /// `reload`, SIGHUP only reopens log files.
    static func run(
        configuration: GatewayConfiguration, reload: ReloadSettings? = nil, pidFile: String? = nil,
        beforeWait: (GatewayServer) -> Void
    ) -> Int32 {
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
        let sources = installSignalHandlers(server: server, grace: configuration.timeouts.shutdownGrace, reload: reload)
        if let pidFile, !PIDFile.write(pidFile, logger: logger) {
            server.shutdown(grace: 0)
        }
        beforeWait(server)
        server.waitUntilStopped()
        sources.forEach { $0.cancel() }
        if let pidFile {
            PIDFile.remove(pidFile)
        }
        return 0
    }

    /// A registry with the built-in middleware and the middleware of the configured plugin libraries.
    public static func makeRegistry(configuration: GatewayConfiguration) throws -> MiddlewareRegistry {
        try PluginLoader.makeRegistry(plugins: configuration.plugins).registry
    }

    private static func ignoreSignals() {
        // OpenSSL writes to sockets with write(2), which raises SIGPIPE on a closed connection.
        signal(SIGPIPE, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        signal(SIGHUP, SIG_IGN)
    }

    private static func installSignalHandlers(
        server: GatewayServer, grace: Double, reload: ReloadSettings?
    ) -> [DispatchSourceSignal] {
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
        hangup.setEventHandler {
            guard let reload else {
                server.reopenFiles()
                return
            }
            // A rejected reload is logged by reload(configurationPath:) and changes nothing.
            _ = try? server.reload(configurationPath: reload.configurationPath, workersOverride: reload.workersOverride)
        }
        hangup.resume()
        sources.append(hangup)
        return sources
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }
}
