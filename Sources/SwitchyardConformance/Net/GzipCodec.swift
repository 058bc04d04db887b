// One-shot gzip compression and decompression with zlib, to build encoded origin bodies and check encoded responses.
internal import CZlib

enum GzipCodec {
    /// Decompresses a complete gzip member; nil when the data is not valid gzip.
    static func decompress(_ data: [UInt8]) -> [UInt8]? {
        var stream = z_stream()
        // windowBits 15 + 16 selects the gzip wrapper.
        guard CZlib_inflateInit2(&stream, 15 + 16) == Z_OK else {
            return nil
        }
        defer { inflateEnd(&stream) }
        var input = data
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        return input.withUnsafeMutableBufferPointer { inputBuffer -> [UInt8]? in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = UInt32(inputBuffer.count)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { outputBuffer -> Int32 in
                    stream.next_out = outputBuffer.baseAddress
                    stream.avail_out = UInt32(outputBuffer.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                output += chunk[0..<(chunk.count - Int(stream.avail_out))]
                if status == Z_STREAM_END {
                    return output
                }
                if status != Z_OK || (stream.avail_in == 0 && stream.avail_out != 0) || output.count > 64 << 20 {
                    return nil
                }
            }
        }
    }

    /// Compresses `data` into one gzip member.
    static func compress(_ data: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        guard CZlib_deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK else {
            return []
        }
        defer { deflateEnd(&stream) }
        var input = data
        var output = [UInt8](repeating: 0, count: data.count + 1024)
        let produced = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer -> Int in
                stream.next_in = inputBuffer.baseAddress
                stream.avail_in = UInt32(inputBuffer.count)
                stream.next_out = outputBuffer.baseAddress
                stream.avail_out = UInt32(outputBuffer.count)
                _ = deflate(&stream, Z_FINISH)
                return outputBuffer.count - Int(stream.avail_out)
            }
        }
        return Array(output[0..<produced])
    }
}
