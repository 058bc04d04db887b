// Loading plugin libraries: shared API types, version checks, broken libraries and folders.

import Foundation
import SwitchyardGateway
import SwitchyardPlugin
import Testing

/// Loads `paths` into a fresh registry with the built-in middleware and returns the error message, or nil.
private func loadError(_ paths: [String]) -> (message: String?, registry: MiddlewareRegistry) {
    let registry = MiddlewareRegistry()
    do {
        _ = try PluginLoader.load(paths, into: registry)
        return (nil, registry)
    } catch {
        return ("\(error)", registry)
    }
}

@Suite(.serialized) struct PluginLoadingTests {
    @Test func pluginMiddlewareIsAcceptedByHost() throws {
        let path = try Libraries.apiKey()
        let (registry, loaded) = try PluginLoader.makeRegistry(plugins: [path])
        let descriptor = try #require(registry.descriptor(named: "api-key"))
        #expect(descriptor.library == path)
        #expect(loaded.map(\.path) == [path])

        let environment = PluginEnvironment(
            configDirectory: URL(fileURLWithPath: "/"), keyValue: StaticKeyValue(), logger: .disabled)
        let instance = try descriptor.make(MiddlewareOptions(values: ["namespace": "API_KEYS"], keyPath: "m"), environment)
        let asAny: Any = instance
        #expect(asAny is Middleware)
        #expect(instance.phases == [.requestHead, .upstreamRequest])
    }

    @Test func processMapsOneCopyOfPluginAPI() throws {
        _ = try PluginLoader.makeRegistry(plugins: [try Libraries.apiKey(), try Libraries.htmlBanner()])
        // procfs reports a size of 0, so read through cat rather than Foundation's sized read.
        let (_, maps) = try run("/bin/cat", ["/proc/\(getpid())/maps"])
        let copies = Set(maps.split(separator: "\n").compactMap { line -> Substring? in
            guard line.hasSuffix("/libSwitchyardPlugin.so") else { return nil }
            return line.split(separator: " ").last
        })
        #expect(copies.count == 1, "mapped copies: \(copies)")
    }

    @Test func pluginNeedsAPIBySoname() throws {
        let (status, output) = try run("/usr/bin/env", ["readelf", "-d", try Libraries.apiKey()])
        #expect(status == 0)
        #expect(output.contains("Shared library: [libSwitchyardPlugin.so]"))
        let api = PluginBuild.scratch.appendingPathComponent("debug/libSwitchyardPlugin.so").path
        let (_, apiOutput) = try run("/usr/bin/env", ["readelf", "-d", api])
        #expect(apiOutput.contains("Library soname: [libSwitchyardPlugin.so]"))
    }

    @Test func wrongABIVersionIsRejected() throws {
        let path = try Libraries.bad("WrongABI")
        let (message, registry) = loadError([path])
        let text = try #require(message)
        #expect(text.contains(path))
        #expect(text.contains("built for plugin ABI 999"))
        #expect(text.contains("expects plugin ABI \(PluginABI.version), Swift \(PluginABI.hostCompilerVersion)"))
        #expect(registry.descriptor(named: "wrong-abi") == nil)
    }

    @Test func wrongCompilerVersionIsRejected() throws {
        let (message, _) = loadError([try Libraries.bad("WrongCompiler")])
        let text = try #require(message)
        #expect(text.contains("Swift 5.10.0"))
        #expect(text.contains("rebuild the plugin"))
    }

    @Test func failingRegistrationAddsNothing() throws {
        let (message, registry) = loadError([try Libraries.bad("FailingRegistration")])
        #expect(message?.contains("registration failed: license file missing") == true)
        #expect(registry.descriptor(named: "half-registered") == nil)
    }

    @Test func duplicateNameAddsNothing() throws {
        let (registry, _) = try PluginLoader.makeRegistry(plugins: [])
        var message: String?
        do {
            _ = try PluginLoader.load([try Libraries.bad("DuplicateName")], into: registry)
        } catch {
            message = "\(error)"
        }
        #expect(message?.contains("registers middleware \"gzip\", which built-in already registers") == true)
        #expect(registry.descriptor(named: "fresh-name") == nil)
    }

    @Test func entryPointThatSkipsRegistrarIsRejected() throws {
        let (message, _) = loadError([try Libraries.bad("SilentEntryPoint")])
        #expect(message?.contains("did not call PluginEntryPoint.register") == true)
    }

    @Test func libraryWithoutEntryPointIsRejected() throws {
        let folder = try TemporaryFolder()
        let source = folder.path("empty.c")
        try "int switchyard_unrelated(void) { return 1; }\n".write(toFile: source, atomically: true, encoding: .utf8)
        let library = folder.path("libEmpty.so")
        let (status, output) = try run("/usr/bin/env", ["cc", "-shared", "-fPIC", "-o", library, source])
        try #require(status == 0, "cc failed: \(output)")

        let (message, _) = loadError([library])
        #expect(message?.contains("has no entry point switchyard_plugin_register") == true)
        #expect(message?.contains(library) == true)
    }

    @Test func nonLibraryFileIsRejected() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("libText.so")
        try "not an ELF file".write(toFile: path, atomically: true, encoding: .utf8)
        let (message, _) = loadError([path])
        #expect(message?.contains("could not be loaded") == true)
    }

    @Test func folderLoadsEveryLibrary() throws {
        let folder = try TemporaryFolder()
        try FileManager.default.createSymbolicLink(atPath: folder.path("libApiKey.so"), withDestinationPath: try Libraries.apiKey())
        try FileManager.default.createSymbolicLink(
            atPath: folder.path("libHtmlBanner.so"), withDestinationPath: try Libraries.htmlBanner())
        try "ignored".write(toFile: folder.path("README"), atomically: true, encoding: .utf8)

        let (registry, loaded) = try PluginLoader.makeRegistry(plugins: [folder.url.path])
        #expect(loaded.count == 2)
        #expect(registry.descriptor(named: "api-key") != nil)
        #expect(registry.descriptor(named: "html-banner") != nil)
    }

    @Test func emptyFolderIsRejected() throws {
        let folder = try TemporaryFolder()
        let (message, _) = loadError([folder.url.path])
        #expect(message?.contains("contains no lib*.so file") == true)
    }

    @Test func sameLibraryTwiceIsDuplicate() throws {
        let path = try Libraries.htmlBanner()
        let (message, _) = loadError([path, path])
        #expect(message?.contains("registers middleware \"html-banner\", which \(path) already registers") == true)
    }
}

/// Key-value access with no namespaces but `API_KEYS`, which is empty.
final class StaticKeyValue: KeyValueAccess, @unchecked Sendable {
    let namespaces = ["API_KEYS"]

    func get(namespace: String, key: String) throws -> [UInt8]? { nil }
}

/// A temporary folder removed when the value is released.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("plugin-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// Runs a program and returns its exit status and combined output; killed after 120 seconds.
func run(_ executable: String, _ arguments: [String], in directory: String? = nil) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory {
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
    }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let watchdog = DispatchWorkItem { [process] in process.terminate() }
    DispatchQueue.global().asyncAfter(deadline: .now() + 120, execute: watchdog)
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    watchdog.cancel()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
