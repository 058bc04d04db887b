// An append-only log file written one line per write(2), reopened by path for log rotation.

import Glibc
import Synchronization
import SwitchyardPlugin

/// A file opened with `O_APPEND`, or standard output. Each line goes out in one `write(2)` without buffering, so
/// nothing is lost when the process exits.
///
/// Thread-safe: a mutex guards the descriptor, so a line is never written to a descriptor that `reopen()` is
/// closing. Writers on different event loops wait for each other for the duration of one `write(2)`.
final class LogFile: Sendable {
    /// The absolute path, or nil for standard output.
    let path: String?
    private let descriptor: Mutex<Int32>
    /// Set while writes fail, so that a run of failures is logged once rather than once per line.
    private let failing = Atomic<Bool>(false)
    private let logger: Logger

    /// Opens `path` for appending, creating it with mode 0644; nil writes to standard output. Throws the errno
    /// text when the file cannot be opened.
    init(path: String?, logger: Logger) throws {
        self.path = path
        self.logger = logger
        descriptor = Mutex(try path.map(Self.open) ?? STDOUT_FILENO)
    }

    deinit {
        if path != nil {
            descriptor.withLock { _ = Glibc.close($0) }
        }
    }

    /// Writes `line`, which ends with a newline, retrying after `EINTR` and short writes.
    func write(_ line: [UInt8]) {
        line.withUnsafeBytes { write($0) }
    }

    /// Writes `line`, which ends with a newline, retrying after `EINTR` and short writes.
    func write(_ line: UnsafeRawBufferPointer) {
        let errorNumber: Int32? = descriptor.withLock { fd in
            Self.writeAll(fd, line)
        }
        if let errorNumber {
            if !failing.exchange(true, ordering: .relaxed) {
                logger.error(
                    "access log write failed; lines are lost until writes succeed again",
                    metadata: ["file.path": path ?? "stdout", "error": String(cString: strerror(errorNumber))])
            }
        } else if failing.load(ordering: .relaxed) {
            failing.store(false, ordering: .relaxed)
        }
    }

    /// Opens the path again and switches writers to the new descriptor. Standard output is left alone. Throws the
    /// errno text and keeps the old descriptor when the open fails.
    func reopen() throws {
        guard let path else { return }
        let newDescriptor = try Self.open(path)
        let old = descriptor.withLock { fd in
            let old = fd
            fd = newDescriptor
            return old
        }
        _ = Glibc.close(old)
    }

    private static func open(_ path: String) throws -> Int32 {
        let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw LogFileError(path: path, message: String(cString: strerror(errno)))
        }
        return fd
    }

    /// Returns nil on success or the errno of the failed `write(2)`.
    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return nil
    }
}

/// A log file that could not be opened: the path and the system's reason.
struct LogFileError: Error, CustomStringConvertible {
    let path: String
    let message: String

    var description: String { "cannot open \"\(path)\" for appending: \(message)" }
}
