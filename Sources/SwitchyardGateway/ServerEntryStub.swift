// TEMPORARY entry points for `switchyard serve` and `switchyard demo` until the server lands; delete on merge.

import Foundation

/// The CLI's entry points into the server.
public enum ServerEntry {
    /// Runs the gateway with the configuration file at `configurationPath`; returns the process exit status.
    public static func serve(configurationPath: String) -> Int32 {
        FileHandle.standardError.write(Data("error: the server is not built yet in this build of switchyard\n".utf8))
        return 1
    }

    /// Runs the demo setup; returns the process exit status.
    public static func demo(arguments: [String]) -> Int32 {
        FileHandle.standardError.write(Data("error: the demo is not built yet in this build of switchyard\n".utf8))
        return 1
    }
}
