// Tests of the event loop: cross-thread work, deadlines and socket readiness on loopback.

import Foundation
import Glibc
import SwitchyardEventLoop
import Synchronization
import Testing

/// Records when its deadline fired.
final class RecordingDeadline: DeadlineHandler {
    var deadline: UInt64 = 0
    var scheduledDeadline: UInt64 = 0
    var firedAt: UInt64 = 0
    var fireCount = 0
    let onFire: () -> Void

    init(onFire: @escaping () -> Void) {
        self.onFire = onFire
    }

    func deadlineExpired() {
        firedAt = EventLoop.monotonicNanoseconds()
        fireCount += 1
        onFire()
    }
}

/// Accepts one connection and signals when it happened.
final class AcceptRecorder: EventHandler {
    let fd: Int32
    var accepted: Int32 = -1
    let onAccept: () -> Void

    init(fd: Int32, onAccept: @escaping () -> Void) {
        self.fd = fd
        self.onAccept = onAccept
    }

    func handleEvent(readable: Bool, writable: Bool, hangup: Bool) {
        if let connection = try? TCP.accept(fd) {
            accepted = connection.fd
            onAccept()
        }
    }
}

/// Runs `loop` on a thread until `body` stops it, with a bound so a broken loop fails instead of hanging.
func runLoop(_ loop: EventLoop, _ body: @escaping (EventLoop) -> Void) -> Bool {
    let finished = DispatchSemaphore(value: 0)
    let thread = Thread {
        loop.run()
        finished.signal()
    }
    thread.start()
    loop.execute { body(loop) }
    let result = finished.wait(timeout: .now() + 10)
    if result == .timedOut {
        loop.stop()
    }
    return result == .success
}

@Suite("event loop")
struct EventLoopTests {
    @Test func executeRunsOnLoopThread() throws {
        let loop = try EventLoop()
        let ranInLoop = Mutex(false)
        let stopped = runLoop(loop) { loop in
            ranInLoop.withLock { $0 = loop.inLoop }
            loop.stop()
        }
        #expect(stopped)
        #expect(ranInLoop.withLock { $0 })
    }

    @Test func deadlineFiresAfterItsTime() throws {
        let loop = try EventLoop()
        var handler: RecordingDeadline?
        var start: UInt64 = 0
        let stopped = runLoop(loop) { loop in
            let recorder = RecordingDeadline { loop.stop() }
            handler = recorder
            start = EventLoop.monotonicNanoseconds()
            recorder.deadline = loop.deadline(after: 0.05)
            loop.updateDeadline(recorder)
        }
        #expect(stopped)
        let fired = try #require(handler)
        #expect(fired.fireCount == 1)
        #expect(fired.firedAt - start >= 50_000_000)
    }

    @Test func movedDeadlineFiresOnceAtNewTime() throws {
        let loop = try EventLoop()
        var handler: RecordingDeadline?
        var start: UInt64 = 0
        let stopped = runLoop(loop) { loop in
            let recorder = RecordingDeadline { loop.execute { loop.stop() } }
            handler = recorder
            start = EventLoop.monotonicNanoseconds()
            recorder.deadline = loop.deadline(after: 0.02)
            loop.updateDeadline(recorder)
            // Moving it later needs no new heap entry; the early entry re-arms itself.
            recorder.deadline = loop.deadline(after: 0.1)
            loop.updateDeadline(recorder)
        }
        #expect(stopped)
        let fired = try #require(handler)
        #expect(fired.fireCount == 1)
        #expect(fired.firedAt - start >= 100_000_000)
    }

    @Test func clearedDeadlineNeverFires() throws {
        let loop = try EventLoop()
        var cleared: RecordingDeadline?
        var witness: RecordingDeadline?
        let stopped = runLoop(loop) { loop in
            let recorder = RecordingDeadline {}
            recorder.deadline = loop.deadline(after: 0.01)
            loop.updateDeadline(recorder)
            recorder.deadline = 0
            cleared = recorder
            // The loop holds handlers weakly, so both stay referenced here until the loop stops.
            let stopper = RecordingDeadline { loop.stop() }
            stopper.deadline = loop.deadline(after: 0.05)
            loop.updateDeadline(stopper)
            witness = stopper
        }
        #expect(stopped)
        #expect(witness?.fireCount == 1)
        #expect(cleared?.fireCount == 0)
    }

    @Test func listenerReportsIncomingConnection() throws {
        let loop = try EventLoop()
        let listener = try TCP.listen(on: SocketAddress(ipAddress: "127.0.0.1", port: 0)!, reusePort: false)
        defer { Socket.close(listener) }
        let port = try TCP.localAddress(listener).port
        var recorder: AcceptRecorder?
        let stopped = runLoop(loop) { loop in
            let accept = AcceptRecorder(fd: listener) { loop.stop() }
            recorder = accept
            try? loop.register(listener, interest: .read, handler: accept)
            _ = try? TCP.startConnect(to: SocketAddress(ipAddress: "127.0.0.1", port: port)!)
        }
        #expect(stopped)
        #expect((recorder?.accepted ?? -1) >= 0)
    }
}
