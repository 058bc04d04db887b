// ALPN protocol lists: validation, the wire format (length-prefixed names) and server-side selection.

enum ALPN {
    /// Encodes protocol names as the ALPN wire format: each name prefixed by its one-byte length.
    static func wireFormat(_ protocols: [String]) throws -> [UInt8] {
        var wire: [UInt8] = []
        for name in protocols {
            let bytes = Array(name.utf8)
            guard (1...255).contains(bytes.count) else {
                throw TLSError(operation: "ALPN", subject: name,
                               message: "invalid ALPN protocol name: it must be 1 to 255 bytes long, like \"http/1.1\"")
            }
            wire.append(UInt8(bytes.count))
            wire.append(contentsOf: bytes)
        }
        return wire
    }

    /// Returns the range of the first protocol in `serverPreference` that the client offered, as a range into
    /// `clientWire` (the client's list in wire format). Returns nil when there is no overlap or the list is malformed.
    static func select(serverPreference: [[UInt8]], clientWire: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        let offered = ranges(in: clientWire)
        for wanted in serverPreference {
            if let match = offered.first(where: { clientWire[$0].elementsEqual(wanted) }) {
                return match
            }
        }
        return nil
    }

    /// Splits a wire-format list into the ranges of its names; stops at the first length that overruns the buffer.
    static func ranges(in wire: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var index = 0
        while index < wire.count {
            let length = Int(wire[index])
            let start = index + 1
            guard length > 0, start + length <= wire.count else {
                break
            }
            result.append(start..<(start + length))
            index = start + length
        }
        return result
    }
}
