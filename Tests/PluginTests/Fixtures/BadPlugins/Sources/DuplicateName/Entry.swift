// Registers a fresh name and then `gzip`, which the built-in middleware already use.

import SwitchyardPlugin

final class Nothing: Middleware {
    var phases: MiddlewarePhases { [] }
}

@_cdecl("switchyard_plugin_register")
public func switchyardPluginRegister(_ registrar: UnsafeMutableRawPointer?) -> Int32 {
    PluginEntryPoint.register(registrar) { registry in
        try registry.register(name: "fresh-name", version: "1") { _, _ in Nothing() }
        try registry.register(name: "gzip", version: "1") { _, _ in Nothing() }
    }
}
