// Opens plugin libraries with dlopen, checks their registration and adds their middleware to a registry.

import Foundation
import Glibc
import SwitchyardBuiltins
import SwitchyardPlugin

/// A plugin library that could not be loaded: the file and what is wrong, with the fix.
public struct PluginLoadError: Error, CustomStringConvertible, Equatable {
    /// The library file, or the configured folder when the folder itself is the problem.
    public let path: String
    /// The failure and the fix.
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "plugin \(path): \(message)" }
}

/// A plugin library whose registration passed every check, and the middleware it registered.
public struct LoadedPlugin: Sendable {
    /// The library's absolute path as configured (a folder entry expands to its files).
    public let path: String
    /// The middleware the library registered, in registration order.
    public let middleware: [MiddlewareDescriptor]
}

/// Loads plugin libraries into the process.
///
/// A library is opened once per process and never closed: its code may still run for requests in flight, and
/// Swift metadata from it stays registered with the runtime. Later loads of the same path reuse the first
/// registration, so a rebuilt file at the same path takes effect only after a restart. Thread-safe.
public enum PluginLoader {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var opened: [String: LoadedPlugin] = [:]

    /// The C type of `switchyard_plugin_register`.
    private typealias EntryPoint = @convention(c) (UnsafeMutableRawPointer?) -> Int32

    /// Makes a registry holding the built-in middleware and the middleware of every library in `plugins`.
    /// Throws `PluginLoadError` naming the first library that failed; the registry is then discarded whole.
    public static func makeRegistry(plugins: [String]) throws -> (registry: MiddlewareRegistry, loaded: [LoadedPlugin]) {
        let registry = MiddlewareRegistry()
        try registerBuiltins(into: registry)
        let loaded = try load(plugins, into: registry)
        return (registry, loaded)
    }

    /// Opens every library named by `paths` (files, or folders whose `lib*.so` files are all loaded) and adds
    /// their middleware to `registry`. Every library is checked before any name is added, so on a thrown error
    /// `registry` is unchanged.
    public static func load(_ paths: [String], into registry: MiddlewareRegistry) throws -> [LoadedPlugin] {
        let files = try libraryFiles(paths)
        let plugins = try lock.withLock { try files.map(openOnce) }
        try checkNames(plugins, against: registry)
        for plugin in plugins {
            for descriptor in plugin.middleware {
                try registry.add(descriptor)
            }
        }
        return plugins
    }

    /// Expands folders into their `lib*.so` files, sorted by name, and keeps files as they are.
    public static func libraryFiles(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw PluginLoadError(path: path, message: "not found; build the plugin or fix the path in \"plugins\"")
            }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            // A plugin's own build folder also holds the plugin API library, which is not a plugin.
            let libraries = names.filter {
                $0.hasPrefix("lib") && $0.hasSuffix(".so") && $0 != "libSwitchyardPlugin.so"
            }.sorted()
            if libraries.isEmpty {
                throw PluginLoadError(path: path, message: "folder contains no lib*.so file; build a plugin into it or remove the entry")
            }
            files += libraries.map { URL(fileURLWithPath: path).appendingPathComponent($0).path }
        }
        return files
    }

    /// Rejects a name that two libraries register, or that `registry` already holds.
    private static func checkNames(_ plugins: [LoadedPlugin], against registry: MiddlewareRegistry) throws {
        var seen: [String: String] = [:]
        for plugin in plugins {
            for descriptor in plugin.middleware {
                let earlier = registry.descriptor(named: descriptor.name)?.library ?? seen[descriptor.name]
                if let earlier {
                    throw PluginLoadError(
                        path: plugin.path,
                        message: "registers middleware \"\(descriptor.name)\", which \(earlier) already registers; "
                            + "rename the middleware in one of them or remove one library from \"plugins\"")
                }
                seen[descriptor.name] = plugin.path
            }
        }
    }

    /// Returns the earlier registration of `path`, or opens the library and runs its entry point.
    private static func openOnce(_ path: String) throws -> LoadedPlugin {
        let key = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        if let plugin = opened[key] {
            return LoadedPlugin(path: path, middleware: plugin.middleware)
        }
        let plugin = try open(path)
        opened[key] = plugin
        return plugin
    }

    private static func open(_ path: String) throws -> LoadedPlugin {
        // RTLD_NOW resolves every symbol here, so a library built against another API fails now, not mid-request.
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            throw PluginLoadError(
                path: path,
                message: "could not be loaded: \(reason); rebuild it with this gateway's toolchain against this "
                    + "gateway's plugins/api")
        }
        // NOTE: the handle is never passed to dlclose, even when a check below fails.
        guard let symbol = dlsym(handle, PluginABI.entryPointSymbol) else {
            throw PluginLoadError(
                path: path,
                message: "has no entry point \(PluginABI.entryPointSymbol); export one with "
                    + "@_cdecl(\"\(PluginABI.entryPointSymbol)\") as docs/PLUGINS.md shows")
        }
        let entryPoint = unsafeBitCast(symbol, to: EntryPoint.self)
        let registrar = PluginRegistrar(libraryPath: path)
        _ = withExtendedLifetime(registrar) {
            entryPoint(Unmanaged.passUnretained(registrar).toOpaque())
        }
        try check(registrar)
        return LoadedPlugin(path: path, middleware: registrar.registry.all)
    }

    /// Turns the registrar's outcome into an error unless the plugin registered at least one middleware.
    private static func check(_ registrar: PluginRegistrar) throws {
        let path = registrar.libraryPath
        switch registrar.status {
        case .registered:
            if registrar.registry.all.isEmpty {
                throw PluginLoadError(
                    path: path, message: "registered no middleware; call registry.register(name:version:make:) in its entry point")
            }
        case .versionMismatch:
            let found = "plugin ABI \(registrar.reportedABIVersion ?? 0), Swift \(registrar.reportedCompilerVersion ?? "?")"
            let expected = "plugin ABI \(PluginABI.version), Swift \(PluginABI.hostCompilerVersion)"
            throw PluginLoadError(
                path: path,
                message: "was built for \(found), but this gateway expects \(expected); rebuild the plugin with the "
                    + "gateway's Swift toolchain against the gateway's plugins/api. A running gateway keeps a library "
                    + "it opened once, so load the rebuilt one under a new file name or restart the gateway")
        case .registrationFailed:
            throw PluginLoadError(
                path: path, message: "registration failed: \(registrar.registrationError.map { "\($0)" } ?? "unknown error"); fix the plugin's entry point")
        case .invalidRegistrar, nil, .some(_):
            throw PluginLoadError(
                path: path,
                message: "its entry point did not call PluginEntryPoint.register with the registrar it was given; "
                    + "see docs/PLUGINS.md for the entry point")
        }
    }
}
