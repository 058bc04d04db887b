// Reports another Swift compiler version, as a plugin built with another toolchain would.

import SwitchyardPlugin

@_cdecl("switchyard_plugin_register")
public func switchyardPluginRegister(_ registrar: UnsafeMutableRawPointer?) -> Int32 {
    guard let registrar else { return 3 }
    let host = Unmanaged<PluginRegistrar>.fromOpaque(registrar).takeUnretainedValue()
    return host.register(abiVersion: PluginABI.compiledVersion, compilerVersion: "5.10.0") { registry in
        try registry.register(name: "wrong-compiler", version: "1") { _, _ in fatalError("must never be built") }
    }
}
