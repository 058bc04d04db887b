// Exports the entry point but never hands its versions to the registrar.

@_cdecl("switchyard_plugin_register")
public func switchyardPluginRegister(_ registrar: UnsafeMutableRawPointer?) -> Int32 {
    0
}
