// The access-log middleware: one line per request, as JSON or in the Apache combined format.

import SwitchyardPlugin

/// Writes one line per request in the logging phase, after the response ended or failed.
///
/// Options: `format` (`json`, the default, or `combined`) and `path` (a file, relative to the configuration
/// file's folder; absent or `-` writes to standard output). The file is opened with `O_APPEND | O_CREAT` and mode
/// 0644 when the configuration loads, and `reopenFiles()` opens it again after log rotation.
///
/// JSON lines contain `time` (RFC 3339, UTC, milliseconds; when the request head was complete), `request_id`,
/// `client`, `method`, `path` (the raw target), `status`, `bytes_sent`, `duration_ms`, `storefront_id`, `origin`,
/// `origin_status`, `origin_ms`, `user_agent`, `referer` and `failure`, with null for absent values.
///
/// Thread-safe: lines from several event loops are written whole, one `write(2)` each, under a mutex that
/// `reopenFiles()` also takes. Cost per request: building the line (no date formatting except once per second)
/// and one system call.
public final class AccessLogMiddleware: Middleware, FileReopening {
    let format: AccessLogFormat
    let file: LogFile
    private let timestamp = LogTimestamp()
    private let logger: Logger

    public var phases: MiddlewarePhases { .logging }

    private struct Options: Decodable {
        var format: String?
        var path: String?
    }

    /// Validates the options and opens the log file; a file that cannot be opened is a configuration error.
    public init(options: MiddlewareOptions, environment: PluginEnvironment) throws {
        try options.rejectUnknownKeys(["format", "path"])
        let decoded = try options.decode(Options.self)

        let formatText = decoded.format ?? "json"
        guard let format = AccessLogFormat(rawValue: formatText) else {
            throw ConfigurationError(
                key: "\(options.keyPath).format", message: "\"\(formatText)\" is invalid; use \"json\" or \"combined\"")
        }
        if decoded.path?.isEmpty == true {
            throw ConfigurationError(
                key: "\(options.keyPath).path", message: "is empty; give a file path, or \"-\" for standard output")
        }
        let path = decoded.path.flatMap { $0 == "-" ? nil : environment.resolvePath($0).path }
        do {
            file = try LogFile(path: path, logger: environment.logger)
        } catch {
            throw ConfigurationError(
                key: "\(options.keyPath).path", message: "\(error); create the folder or fix the path")
        }
        self.format = format
        logger = environment.logger
    }

    public func log(_ context: RequestContext) {
        let second = timestamp.second(of: context.startTime)
        let line: AccessLogLine
        switch format {
        case .json: line = AccessLogLine.json(context, second: second)
        case .combined: line = AccessLogLine.combined(context, second: second)
        }
        line.withBytes { file.write($0) }
    }

    /// Reopens the log file by path, so that lines go to a new file after `logrotate` renamed the old one. On
    /// failure, lines keep going to the old file and the error is logged.
    public func reopenFiles() {
        do {
            try file.reopen()
        } catch {
            logger.error("access log reopen failed; writing to the old file", metadata: ["error": "\(error)"])
        }
    }
}
