// Where the gateway's own log records go: JSON lines on standard error.

import Foundation
import Glibc
import SwitchyardPlugin

/// Writes each record as one JSON line to standard error with a single `write`, so lines from several threads
/// never interleave.
public final class StandardErrorLogSink: LogSink, @unchecked Sendable {
    public init() {}

    public func write(level: LogLevel, message: String, metadata: [String: String]) {
        var object: [String: String] = metadata
        object["time"] = Self.timestamp()
        object["level"] = level.description
        object["message"] = message
        guard var line = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        line.append(0x0A)
        line.withUnsafeBytes { bytes in
            _ = Glibc.write(2, bytes.baseAddress, bytes.count)
        }
    }

    private static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
