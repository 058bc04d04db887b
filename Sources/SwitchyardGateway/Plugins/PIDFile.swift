// The pid file that `serve --pid-file` writes so that `switchyard reload` can find the running gateway.

import Foundation
import SwitchyardPlugin

/// Reads and writes the process id file of a running gateway.
public enum PIDFile {
    /// Writes the current process id and a newline to `path`, replacing the file. Logs and returns false when the
    /// file cannot be written.
    static func write(_ path: String, logger: Logger) -> Bool {
        do {
            try Data("\(getpid())\n".utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            return true
        } catch {
            logger.error("could not write the pid file; stopping", metadata: ["file.path": path, "error": "\(error)"])
            return false
        }
    }

    /// Removes the file if it still names this process, so a newer gateway's file is left alone.
    static func remove(_ path: String) {
        if (try? read(path)) == getpid() {
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// Returns the process id stored in `path`. Throws a message naming the file when it is missing or does not
    /// hold a positive decimal number.
    public static func read(_ path: String) throws -> Int32 {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PIDFileError(path: path, message: "not found; is the gateway running with serve --pid-file \(path)?")
        }
        let text = String(decoding: data.prefix(32), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let pid = Int32(text), pid > 0 else {
            throw PIDFileError(path: path, message: "does not contain a process id (found \"\(text)\"); remove it and restart the gateway with --pid-file")
        }
        return pid
    }
}

/// A pid file that is missing or invalid.
public struct PIDFileError: Error, CustomStringConvertible {
    /// The pid file path.
    public let path: String
    /// The problem and the fix.
    public let message: String

    public var description: String { "pid file \(path): \(message)" }
}
