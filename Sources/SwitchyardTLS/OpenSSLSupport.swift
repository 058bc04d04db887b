// Ownership of OpenSSL objects, the no-password callback and file checks shared by the TLS types.
internal import COpenSSL
import Glibc

/// Sole owner of one OpenSSL object: frees it exactly once when the owner is deinitialised.
final class OwnedPointer {
    let pointer: OpaquePointer
    private let free: (OpaquePointer) -> Void

    init(_ pointer: OpaquePointer, free: @escaping (OpaquePointer) -> Void) {
        self.pointer = pointer
        self.free = free
    }

    deinit {
        free(pointer)
    }
}

/// Password callback that supplies no password, so an encrypted PEM key fails to load instead of OpenSSL
/// prompting on the terminal and blocking the process.
let noPasswordCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32 = {
    _, _, _, _ in 0
}

enum FileCheck {
    /// Throws a TLSError naming `path` unless it is a readable regular file; `role` names the expected content.
    static func requireReadableFile(_ path: String, role: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = errno == ENOENT ? "file not found" : String(cString: strerror(errno))
            throw TLSError(operation: "stat", subject: path, message: "cannot use \(role): \(reason); check the path")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw TLSError(operation: "stat", subject: path,
                           message: "cannot use \(role): not a regular file; point to the PEM file itself")
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw TLSError(operation: "open", subject: path,
                           message: "cannot read \(role): \(reason); make the file readable by this process")
        }
        close(fd)
    }
}
