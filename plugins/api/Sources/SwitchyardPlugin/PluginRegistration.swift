// The registration handshake between the gateway and the `@_cdecl` entry point of a plugin library.

/// Version information exchanged when a plugin library registers.
public enum PluginABI {
    /// The plugin ABI version of this API as the gateway was built with it; a plugin that reports another
    /// version is rejected.
    public static let version = compiledVersion

    /// The name of the C symbol every plugin library exports: `switchyard_plugin_register`.
    public static let entryPointSymbol = "switchyard_plugin_register"

    /// The Swift compiler version that built this copy of the API library, in the form of
    /// `PluginABI.compilerVersion`. The gateway compares it with the version a plugin reports.
    public static let hostCompilerVersion = compilerVersion

    /// The plugin ABI version, compiled into the caller's binary. A plugin's entry point reports this value, so
    /// the gateway gets the version the plugin was built against, not its own.
    ///
    /// Raise it whenever a change to this API breaks binaries built against the previous version.
    @_alwaysEmitIntoClient
    public static var compiledVersion: Int { 1 }

    /// The version of the Swift compiler that compiled the caller, such as `6.3.1`, compiled into the caller's
    /// binary. Each compiler from 6.0.0 to 6.9.5 has its own value, and a later one returns `7.0 or later`.
    @_alwaysEmitIntoClient
    public static var compilerVersion: String {
        #if compiler(>=7.0)
        return "7.0 or later"
        #elseif compiler(>=6.9.5)
        return "6.9.5"
        #elseif compiler(>=6.9.4)
        return "6.9.4"
        #elseif compiler(>=6.9.3)
        return "6.9.3"
        #elseif compiler(>=6.9.2)
        return "6.9.2"
        #elseif compiler(>=6.9.1)
        return "6.9.1"
        #elseif compiler(>=6.9.0)
        return "6.9.0"
        #elseif compiler(>=6.8.5)
        return "6.8.5"
        #elseif compiler(>=6.8.4)
        return "6.8.4"
        #elseif compiler(>=6.8.3)
        return "6.8.3"
        #elseif compiler(>=6.8.2)
        return "6.8.2"
        #elseif compiler(>=6.8.1)
        return "6.8.1"
        #elseif compiler(>=6.8.0)
        return "6.8.0"
        #elseif compiler(>=6.7.5)
        return "6.7.5"
        #elseif compiler(>=6.7.4)
        return "6.7.4"
        #elseif compiler(>=6.7.3)
        return "6.7.3"
        #elseif compiler(>=6.7.2)
        return "6.7.2"
        #elseif compiler(>=6.7.1)
        return "6.7.1"
        #elseif compiler(>=6.7.0)
        return "6.7.0"
        #elseif compiler(>=6.6.5)
        return "6.6.5"
        #elseif compiler(>=6.6.4)
        return "6.6.4"
        #elseif compiler(>=6.6.3)
        return "6.6.3"
        #elseif compiler(>=6.6.2)
        return "6.6.2"
        #elseif compiler(>=6.6.1)
        return "6.6.1"
        #elseif compiler(>=6.6.0)
        return "6.6.0"
        #elseif compiler(>=6.5.5)
        return "6.5.5"
        #elseif compiler(>=6.5.4)
        return "6.5.4"
        #elseif compiler(>=6.5.3)
        return "6.5.3"
        #elseif compiler(>=6.5.2)
        return "6.5.2"
        #elseif compiler(>=6.5.1)
        return "6.5.1"
        #elseif compiler(>=6.5.0)
        return "6.5.0"
        #elseif compiler(>=6.4.5)
        return "6.4.5"
        #elseif compiler(>=6.4.4)
        return "6.4.4"
        #elseif compiler(>=6.4.3)
        return "6.4.3"
        #elseif compiler(>=6.4.2)
        return "6.4.2"
        #elseif compiler(>=6.4.1)
        return "6.4.1"
        #elseif compiler(>=6.4.0)
        return "6.4.0"
        #elseif compiler(>=6.3.5)
        return "6.3.5"
        #elseif compiler(>=6.3.4)
        return "6.3.4"
        #elseif compiler(>=6.3.3)
        return "6.3.3"
        #elseif compiler(>=6.3.2)
        return "6.3.2"
        #elseif compiler(>=6.3.1)
        return "6.3.1"
        #elseif compiler(>=6.3.0)
        return "6.3.0"
        #elseif compiler(>=6.2.5)
        return "6.2.5"
        #elseif compiler(>=6.2.4)
        return "6.2.4"
        #elseif compiler(>=6.2.3)
        return "6.2.3"
        #elseif compiler(>=6.2.2)
        return "6.2.2"
        #elseif compiler(>=6.2.1)
        return "6.2.1"
        #elseif compiler(>=6.2.0)
        return "6.2.0"
        #elseif compiler(>=6.1.5)
        return "6.1.5"
        #elseif compiler(>=6.1.4)
        return "6.1.4"
        #elseif compiler(>=6.1.3)
        return "6.1.3"
        #elseif compiler(>=6.1.2)
        return "6.1.2"
        #elseif compiler(>=6.1.1)
        return "6.1.1"
        #elseif compiler(>=6.1.0)
        return "6.1.0"
        #elseif compiler(>=6.0.5)
        return "6.0.5"
        #elseif compiler(>=6.0.4)
        return "6.0.4"
        #elseif compiler(>=6.0.3)
        return "6.0.3"
        #elseif compiler(>=6.0.2)
        return "6.0.2"
        #elseif compiler(>=6.0.1)
        return "6.0.1"
        #elseif compiler(>=6.0.0)
        return "6.0.0"
        #else
        return "older than 6.0"
        #endif
    }
}

/// The gateway's side of one plugin library's registration. The gateway passes it to the library's entry point
/// as an opaque pointer, and `PluginEntryPoint.register(_:_:)` in the plugin hands it the plugin's versions and
/// its registration closure.
///
/// Registrations land in `registry`, a staging registry of this library only, so that the gateway can check
/// every name before adding any of them to the registry it serves from. Not thread-safe: the gateway loads one
/// library at a time.
public final class PluginRegistrar {
    /// The result of a registration call, also returned to the plugin's entry point as its `Int32` result.
    public enum Status: Int32, Sendable {
        /// The versions matched and the registration closure returned normally.
        case registered = 0
        /// The plugin reported another ABI or compiler version, so its closure did not run.
        case versionMismatch = 1
        /// The registration closure threw; `registrationError` contains the error.
        case registrationFailed = 2
        /// The entry point got a null registrar pointer.
        case invalidRegistrar = 3
    }

    /// The library path registrations are attributed to.
    public let libraryPath: String
    /// The staging registry that receives this library's middleware.
    public let registry: MiddlewareRegistry
    /// The ABI version the plugin reported, or nil if it never called `register`.
    public private(set) var reportedABIVersion: Int?
    /// The compiler version the plugin reported, or nil if it never called `register`.
    public private(set) var reportedCompilerVersion: String?
    /// The error the plugin's registration closure threw, if any.
    public private(set) var registrationError: Error?
    /// The outcome of the last `register` call, or nil if the plugin never called it.
    public private(set) var status: Status?

    /// Makes a registrar whose staging registry attributes registrations to `libraryPath`.
    public init(libraryPath: String) {
        self.libraryPath = libraryPath
        registry = MiddlewareRegistry()
        registry.currentLibrary = libraryPath
    }

    /// Records the plugin's versions and, if both match the gateway's, runs `plugin` with the staging registry.
    /// A plugin calls this through `PluginEntryPoint.register(_:_:)`, which fills in the versions it was built
    /// with.
    public func register(
        abiVersion: Int, compilerVersion: String, plugin: (MiddlewareRegistry) throws -> Void
    ) -> Int32 {
        reportedABIVersion = abiVersion
        reportedCompilerVersion = compilerVersion
        guard abiVersion == PluginABI.version, compilerVersion == PluginABI.hostCompilerVersion else {
            status = .versionMismatch
            return Status.versionMismatch.rawValue
        }
        do {
            try plugin(registry)
            status = .registered
        } catch {
            registrationError = error
            status = .registrationFailed
        }
        return (status ?? .registrationFailed).rawValue
    }
}

/// The body of a plugin library's entry point.
///
/// ```swift
/// @_cdecl("switchyard_plugin_register")
/// public func switchyardPluginRegister(_ registrar: UnsafeMutableRawPointer?) -> Int32 {
///     PluginEntryPoint.register(registrar) { registry in
///         try registry.register(name: "hello", version: "1.0.0") { options, _ in try HelloMiddleware(options) }
///     }
/// }
/// ```
public enum PluginEntryPoint {
    /// Reports the ABI and compiler versions this plugin was built with to the gateway's registrar and, if the
    /// gateway accepts them, runs `body` to register the plugin's middleware. Returns a `PluginRegistrar.Status`
    /// raw value.
    ///
    /// The function is compiled into the plugin, so the versions it sends are the plugin's own.
    @_alwaysEmitIntoClient
    public static func register(
        _ registrar: UnsafeMutableRawPointer?, _ body: (MiddlewareRegistry) throws -> Void
    ) -> Int32 {
        guard let registrar else {
            return PluginRegistrar.Status.invalidRegistrar.rawValue
        }
        let host = Unmanaged<PluginRegistrar>.fromOpaque(registrar).takeUnretainedValue()
        return host.register(
            abiVersion: PluginABI.compiledVersion, compilerVersion: PluginABI.compilerVersion, plugin: body)
    }
}
