// Fixed-size read buffers shared by the connections of one event loop.

/// A free list of equally sized byte buffers. A connection takes one while it has unread input and gives it back
/// when idle, so idle connections hold no read buffer. Used on one loop thread only.
final class BufferPool {
    let bufferSize: Int
    private var free: [UnsafeMutableRawBufferPointer] = []
    private let maxFree: Int

    init(bufferSize: Int, maxFree: Int = 256) {
        self.bufferSize = bufferSize
        self.maxFree = maxFree
    }

    deinit {
        for buffer in free {
            buffer.deallocate()
        }
    }

    func acquire() -> UnsafeMutableRawBufferPointer {
        if let buffer = free.popLast() {
            return buffer
        }
        return UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
    }

    func release(_ buffer: UnsafeMutableRawBufferPointer) {
        if free.count < maxFree {
            free.append(buffer)
        } else {
            buffer.deallocate()
        }
    }
}
