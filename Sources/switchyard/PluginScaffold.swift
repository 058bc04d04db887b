// The files that `switchyard plugin new NAME` writes: a plugin package with one middleware and its test.

import Foundation

/// A new plugin package: the middleware name, the Swift names derived from it and the plugin API path.
struct PluginScaffold {
    /// The middleware name, such as `hello` or `api-key`.
    let name: String
    /// The product and module name, such as `Hello` or `ApiKey`; the library is `lib<typeName>.so`.
    let typeName: String
    /// The absolute path of the gateway's `plugins/api` package.
    let apiPath: String

    /// Checks `name`: 1 to 40 characters, lowercase letters, digits and `-`, starting with a letter.
    init(name: String, apiPath: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard let first = name.first, first.isLetter, name.count <= 40, name.allSatisfy({ allowed.contains($0) }),
            !name.hasSuffix("-"), !name.contains("--")
        else {
            throw CLIError.usage(
                "invalid plugin name \"\(name)\"; use 1 to 40 lowercase letters, digits and single '-', starting with a "
                    + "letter, such as hello or api-key", command: "plugin")
        }
        self.name = name
        typeName = name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        self.apiPath = apiPath
    }

    /// The library file that `swift build -c release` produces, relative to the package folder.
    var releaseLibrary: String { ".build/release/lib\(typeName).so" }

    /// The files of the package, by path relative to its folder.
    var files: [(path: String, contents: String)] {
        [
            ("Package.swift", packageManifest),
            ("Sources/\(typeName)/\(typeName)Middleware.swift", middlewareSource),
            ("Tests/\(typeName)Tests/\(typeName)Tests.swift", testSource),
            ("README.md", readme),
            (".gitignore", ".build/\n.swiftpm/\n"),
        ]
    }

    var packageManifest: String {
        """
        // swift-tools-version:6.0
        // The \(name) Switchyard plugin: a shared library that the gateway loads from its "plugins" list.
        import PackageDescription

        // The gateway's plugin API package. Build the plugin with the same Swift toolchain as the gateway and
        // against the same plugins/api folder, or the gateway rejects the library at start-up.
        let pluginAPIPath = "\(apiPath)"

        let package = Package(
            name: "\(name)",
            products: [
                // `swift build -c release` writes .build/release/lib\(typeName).so.
                .library(name: "\(typeName)", type: .dynamic, targets: ["\(typeName)"]),
            ],
            dependencies: [
                .package(path: pluginAPIPath),
            ],
            targets: [
                .target(name: "\(typeName)", dependencies: [.product(name: "SwitchyardPlugin", package: "api")]),
                .testTarget(
                    name: "\(typeName)Tests",
                    dependencies: ["\(typeName)", .product(name: "SwitchyardPluginTestKit", package: "api")]
                ),
            ],
            swiftLanguageModes: [.v5]
        )

        """
    }

    var middlewareSource: String {
        """
        // The \(name) middleware: adds `X-\(typeName): world` to every response, and the library's entry point.

        import SwitchyardPlugin

        /// Adds the response field `X-\(typeName)` with the configured value (`world` by default).
        public final class \(typeName)Middleware: Middleware {
            /// The value of the added field.
            let value: String

            public var phases: MiddlewarePhases { .responseHead }

            private struct Options: Decodable {
                var value: String?
            }

            /// Validates the options of a `{ "use": "\(name)", "value": "..." }` entry.
            public init(options: MiddlewareOptions) throws {
                try options.rejectUnknownKeys(["value"])
                let decoded = try options.decode(Options.self)
                if let value = decoded.value, value.isEmpty || value.contains(where: { $0 == "\\r" || $0 == "\\n" }) {
                    throw ConfigurationError(key: "\\(options.keyPath).value", message: "must be non-empty text on one line")
                }
                value = decoded.value ?? "world"
            }

            public func responseHead(_ context: RequestContext, _ head: inout ResponseHead) {
                head.headers.set("X-\(typeName)", value)
            }
        }

        /// Registers the plugin's middleware; the entry point and the tests call it.
        public func register\(typeName)(into registry: MiddlewareRegistry) throws {
            try registry.register(name: "\(name)", version: "0.1.0") { options, _ in
                try \(typeName)Middleware(options: options)
            }
        }

        /// The entry point the gateway looks up after loading the library.
        @_cdecl("switchyard_plugin_register")
        public func switchyardPluginRegister(_ registrar: UnsafeMutableRawPointer?) -> Int32 {
            PluginEntryPoint.register(registrar, register\(typeName))
        }

        """
    }

    var testSource: String {
        """
        // Tests of the \(name) middleware with the plugin test kit, without sockets.

        import SwitchyardPlugin
        import SwitchyardPluginTestKit
        import Testing
        import \(typeName)

        @Test func addsWorldHeader() async throws {
            let middleware = try MiddlewareTestRunner.makeMiddleware(name: "\(name)", register: register\(typeName))
            let result = try await MiddlewareTestRunner([middleware]).run(RequestHead(method: "GET", target: "/"))
            #expect(result.responseHead.headers["X-\(typeName)"] == "world")
        }

        @Test func rejectsUnknownOption() throws {
            #expect(throws: ConfigurationError.self) {
                try MiddlewareTestRunner.makeMiddleware(name: "\(name)", options: ["valu": "x"], register: register\(typeName))
            }
        }

        """
    }

    var readme: String {
        """
        # \(name): a Switchyard plugin

        Adds `X-\(typeName): world` to every response (set `"value"` to change the text).

        Build and test, with the same Swift toolchain as the gateway:

            swift build -c release
            swift test

        Load it: add the library to the gateway configuration and place the middleware in the chain.

            "plugins": ["\(releaseLibrary)"],
            "middleware": [ { "use": "routing-lookup", "namespace": "ROUTING_CONFIG" }, { "use": "\(name)" } ]

        Relative paths resolve against the configuration file's folder; an absolute path is safest.

        The package finds the plugin API through `pluginAPIPath` in Package.swift, which `switchyard plugin new`
        set to \(apiPath). If the gateway checkout moves, change that line (or pass `--api-path` when
        generating). The gateway rejects a plugin built with another toolchain or against another copy of the API.

        """
    }

    /// Writes the files into `folder`, which must not exist yet or be empty.
    func write(into folder: URL) throws {
        let manager = FileManager.default
        if let existing = try? manager.contentsOfDirectory(atPath: folder.path), !existing.isEmpty {
            throw CLIError.failure("\(folder.path) already exists and is not empty; choose another --dir or name")
        }
        for file in files {
            let url = folder.appendingPathComponent(file.path)
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.contents.utf8).write(to: url)
        }
    }
}
