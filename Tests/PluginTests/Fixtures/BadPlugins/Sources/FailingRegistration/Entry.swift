// Registers one name and then throws, so the gateway must add neither.

import SwitchyardPlugin

struct SetupFailed: Error, CustomStringConvertible {
    var description: String { "license file missing" }
}

@_cdecl("switchyard_plugin_register")
public func switchyardPluginRegister(_ registrar: UnsafeMutableRawPointer?) -> Int32 {
    PluginEntryPoint.register(registrar) { registry in
        try registry.register(name: "half-registered", version: "1") { _, _ in fatalError("must never be built") }
        throw SetupFailed()
    }
}
