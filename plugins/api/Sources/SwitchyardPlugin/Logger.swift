// A small value-type logger passed to middleware; the gateway decides where lines go.

import Foundation

/// A log record's severity.
public enum LogLevel: Int, Comparable, Sendable, CustomStringConvertible {
    case trace, debug, info, notice, warning, error, critical

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .trace: return "trace"
        case .debug: return "debug"
        case .info: return "info"
        case .notice: return "notice"
        case .warning: return "warning"
        case .error: return "error"
        case .critical: return "critical"
        }
    }

    public init?(name: String) {
        switch name.lowercased() {
        case "trace": self = .trace
        case "debug": self = .debug
        case "info": self = .info
        case "notice": self = .notice
        case "warning", "warn": self = .warning
        case "error": self = .error
        case "critical": self = .critical
        default: return nil
        }
    }
}

/// Where log records go. The gateway installs one that writes JSON lines to standard error.
public protocol LogSink: AnyObject, Sendable {
    func write(level: LogLevel, message: String, metadata: [String: String])
}

/// A logger with a minimum level and metadata such as `request.id` or `storefront.id`. Messages are autoclosures,
/// so a record below the level costs no formatting.
public struct Logger: Sendable {
    public var level: LogLevel
    public var metadata: [String: String]
    private let sink: LogSink?

    public init(level: LogLevel = .info, metadata: [String: String] = [:], sink: LogSink?) {
        self.level = level
        self.metadata = metadata
        self.sink = sink
    }

    /// A logger that drops every record.
    public static let disabled = Logger(level: .critical, sink: nil)

    public subscript(metadataKey key: String) -> String? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(_ level: LogLevel, _ message: @autoclosure () -> String, metadata extra: [String: String] = [:]) {
        guard level >= self.level, let sink else { return }
        let merged = extra.isEmpty ? metadata : metadata.merging(extra) { _, new in new }
        sink.write(level: level, message: message(), metadata: merged)
    }

    public func debug(_ message: @autoclosure () -> String, metadata: [String: String] = [:]) {
        log(.debug, message(), metadata: metadata)
    }

    public func info(_ message: @autoclosure () -> String, metadata: [String: String] = [:]) {
        log(.info, message(), metadata: metadata)
    }

    public func warning(_ message: @autoclosure () -> String, metadata: [String: String] = [:]) {
        log(.warning, message(), metadata: metadata)
    }

    public func error(_ message: @autoclosure () -> String, metadata: [String: String] = [:]) {
        log(.error, message(), metadata: metadata)
    }
}
