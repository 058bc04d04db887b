// Property checks on mutated requests: no crash, and the same messages or error whatever the read boundaries.

import SwitchyardHTTP1
import Testing

/// A small deterministic generator (SplitMix64), so a failing case can be replayed from its index.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    mutating func next(below bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}

/// The outcome of decoding a stream: the transcript, or the status of the error.
enum Outcome: Equatable {
    case decoded(RequestTranscript)
    case rejected(Int)
}

func outcome(_ bytes: [UInt8], pieceSize: Int) -> Outcome {
    do {
        return .decoded(try decodeRequests(bytes, pieceSize: pieceSize))
    } catch let error as HTTP1ParseError {
        return .rejected(error.status)
    } catch {
        return .rejected(-1)
    }
}

@Suite struct SplitConsistencyTests {
    static let seeds = Array(
        (post("Content-Length: 5\r\n", body: "hello")
            + post("Transfer-Encoding: chunked\r\n", body: "3;x=\"y\"\r\nabc\r\n0\r\nT: 1\r\n\r\n")
            + get("Connection: keep-alive\r\nExpect: 100-continue\r\n")).utf8)

    /// Bytes that matter to framing, so mutations hit the parser's decisions more often than random bytes would.
    static let interestingBytes: [UInt8] = Array(" \t\r\n:;,=\"0159aAfF\u{0}\u{7F}".utf8) + [0x80, 0xC3, 0xFF]

    @Test func mutatedRequestsDecodeTheSameInAnySplit() {
        var random = SplitMix64(state: 0x5EED)
        var rejectedCount = 0
        for caseIndex in 0..<1500 {
            var bytes = SplitConsistencyTests.seeds
            for _ in 0...random.next(below: 3) {
                mutate(&bytes, &random)
            }
            let whole = outcome(bytes, pieceSize: Int.max)
            if case .rejected = whole {
                rejectedCount += 1
            }
            for pieceSize in [1, 3, 8] {
                let split = outcome(bytes, pieceSize: pieceSize)
                #expect(split == whole, "case \(caseIndex) differs in pieces of \(pieceSize)")
            }
        }
        // Both outcomes must be common, or the property proves little.
        #expect(rejectedCount > 300)
        #expect(rejectedCount < 1400)
    }

    func mutate(_ bytes: inout [UInt8], _ random: inout SplitMix64) {
        let position = random.next(below: bytes.count)
        let interesting = SplitConsistencyTests.interestingBytes
        switch random.next(below: 3) {
        case 0:
            bytes[position] = interesting[random.next(below: interesting.count)]
        case 1:
            bytes.insert(interesting[random.next(below: interesting.count)], at: position)
        default:
            bytes.remove(at: position)
        }
    }
}
