// TEMPORARY stand-in for the built-in middleware registration until that module lands; delete on merge.

import SwitchyardPlugin

/// Registers the built-in middleware; this stand-in registers none.
public func registerBuiltins(into registry: MiddlewareRegistry) throws {}
