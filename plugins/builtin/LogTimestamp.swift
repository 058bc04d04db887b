// Timestamps for access log lines, formatted once per second and reused.

import Foundation
import Glibc
import Synchronization

/// Formats log timestamps, caching the text of the current second so that a line costs a lock and a copy
/// instead of a calendar conversion.
///
/// Thread-safe: a mutex guards the cached second.
final class LogTimestamp: Sendable {
    /// The formatted texts of one second.
    struct Second {
        var epochSecond: Int
        /// `2024-05-01T12:34:56` in UTC, without fraction and zone.
        var rfc3339: [UInt8]
        /// `01/May/2024:14:34:56 +0200` in local time, as the Common Log Format writes it.
        var common: [UInt8]
    }

    private let cache = Mutex<Second?>(nil)

    /// The formatted texts for the second that contains `date`.
    func second(of date: Date) -> Second {
        let epochSecond = Int(date.timeIntervalSince1970.rounded(.down))
        if let cached = cache.withLock({ $0 }), cached.epochSecond == epochSecond {
            return cached
        }
        let formatted = Self.format(epochSecond)
        cache.withLock { $0 = formatted }
        return formatted
    }

    /// Milliseconds within the second, 0-999.
    static func milliseconds(of date: Date) -> Int {
        let seconds = date.timeIntervalSince1970
        return min(999, max(0, Int((seconds - seconds.rounded(.down)) * 1000)))
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func format(_ epochSecond: Int) -> Second {
        var time = time_t(epochSecond)
        var utc = tm()
        var local = tm()
        gmtime_r(&time, &utc)
        localtime_r(&time, &local)

        var rfc3339: [UInt8] = []
        appendDigits(Int(utc.tm_year) + 1900, width: 4, to: &rfc3339)
        rfc3339.append(UInt8(ascii: "-"))
        appendDigits(Int(utc.tm_mon) + 1, width: 2, to: &rfc3339)
        rfc3339.append(UInt8(ascii: "-"))
        appendDigits(Int(utc.tm_mday), width: 2, to: &rfc3339)
        rfc3339.append(UInt8(ascii: "T"))
        appendClock(utc, to: &rfc3339)

        var common: [UInt8] = []
        appendDigits(Int(local.tm_mday), width: 2, to: &common)
        common.append(UInt8(ascii: "/"))
        common.append(contentsOf: months[Int(local.tm_mon) % 12].utf8)
        common.append(UInt8(ascii: "/"))
        appendDigits(Int(local.tm_year) + 1900, width: 4, to: &common)
        common.append(UInt8(ascii: ":"))
        appendClock(local, to: &common)
        common.append(UInt8(ascii: " "))
        appendZoneOffset(local.tm_gmtoff, to: &common)
        return Second(epochSecond: epochSecond, rfc3339: rfc3339, common: common)
    }

    private static func appendClock(_ time: tm, to bytes: inout [UInt8]) {
        appendDigits(Int(time.tm_hour), width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(Int(time.tm_min), width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(Int(time.tm_sec), width: 2, to: &bytes)
    }

    private static func appendZoneOffset(_ offsetSeconds: Int, to bytes: inout [UInt8]) {
        bytes.append(offsetSeconds < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        let minutes = abs(offsetSeconds) / 60
        appendDigits(minutes / 60, width: 2, to: &bytes)
        appendDigits(minutes % 60, width: 2, to: &bytes)
    }

    /// Appends `value` in decimal, left-padded with zeros to `width` digits; a negative value counts as 0.
    static func appendDigits(_ value: Int, width: Int = 1, to bytes: inout [UInt8]) {
        var remaining = max(0, value)
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(remaining % 10))
            remaining /= 10
        } while remaining > 0
        while bytes.count - start < width {
            bytes.append(UInt8(ascii: "0"))
        }
        bytes[start...].reverse()
    }
}
