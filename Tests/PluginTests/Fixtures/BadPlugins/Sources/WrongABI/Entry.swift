// Reports a plugin ABI version that no gateway has, as a plugin built against a future API would.

import SwitchyardPlugin

@_cdecl("switchyard_plugin_register")
public func switchyardPluginRegister(_ registrar: UnsafeMutableRawPointer?) -> Int32 {
    guard let registrar else { return 3 }
    let host = Unmanaged<PluginRegistrar>.fromOpaque(registrar).takeUnretainedValue()
    return host.register(abiVersion: 999, compilerVersion: PluginABI.compilerVersion) { registry in
        try registry.register(name: "wrong-abi", version: "1") { _, _ in fatalError("must never be built") }
    }
}
