// The hook the gateway calls on SIGHUP so that middleware writing files can follow log rotation.

/// A middleware that keeps files open and reopens them on request, for example after `logrotate` renamed them.
///
/// The gateway calls `reopenFiles()` from a thread of its own choosing while event loops keep running, so an
/// implementation must be safe against concurrent use of the files it reopens.
public protocol FileReopening: AnyObject {
    /// Closes the files and opens them again by path. A failure keeps the old file open and is logged.
    func reopenFiles()
}
