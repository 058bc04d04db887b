// An epoll event loop that owns its file descriptors, timers and a queue of work from other threads.

import CLinux
import Glibc
import Synchronization

/// Receives readiness events for one registered file descriptor.
public protocol EventHandler: AnyObject {
    /// Called on the loop thread when the descriptor is readable or writable, or reported an error or hang-up
    /// (`hangup`), which epoll reports whatever the interest.
    func handleEvent(readable: Bool, writable: Bool, hangup: Bool)
}

/// Receives a deadline that expired; see `EventLoop.updateDeadline(_:)`.
public protocol DeadlineHandler: AnyObject {
    /// The deadline the handler currently wants, in loop nanoseconds, or 0 for none. A handler moves its deadline
    /// by changing this value and calling `EventLoop.updateDeadline(_:)`; moving it later costs nothing.
    var deadline: UInt64 { get }
    /// Bookkeeping for the loop: the time of the handler's live heap entry, or 0. Handlers only store it.
    var scheduledDeadline: UInt64 { get set }
    /// Called on the loop thread when `deadline` has passed.
    func deadlineExpired()
}

/// One event loop: a thread running `epoll_wait`, dispatching readiness to handlers, firing deadlines and running
/// work queued from other threads.
///
/// Threading: every method except `execute(_:)`, `stop()` and the `TaskExecutor` entry points must be called on
/// the loop thread. Handlers are strongly referenced while registered.
public final class EventLoop: @unchecked Sendable {
    /// Interest in readiness.
    public struct Interest: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let read = Interest(rawValue: 1)
        public static let write = Interest(rawValue: 2)
    }

    /// The loop's index among the gateway's loops, for logs and metrics.
    public let index: Int
    private let epollFD: Int32
    private let wakeFD: Int32
    private var handlers: [Int32: EventHandler] = [:]
    private var deadlines = DeadlineHeap()
    private let queue = Mutex<[() -> Void]>([])
    private let stopRequested = Atomic<Bool>(false)
    private var threadID: pid_t = 0
    /// The loop's clock in nanoseconds (CLOCK_MONOTONIC), read once per iteration.
    public private(set) var now: UInt64

    public init(index: Int = 0) throws {
        self.index = index
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw SystemCallError(call: "epoll_create1", errno: errno) }
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wakeFD >= 0 else { throw SystemCallError(call: "eventfd", errno: errno) }
        now = EventLoop.monotonicNanoseconds()
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = wakeFD
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event) == 0 else {
            throw SystemCallError(call: "epoll_ctl", errno: errno)
        }
    }

    deinit {
        Glibc.close(wakeFD)
        Glibc.close(epollFD)
    }

    /// Whether the caller runs on this loop's thread.
    public var inLoop: Bool { threadID == CLinux_gettid() }

    /// The number of registered descriptors.
    public var registeredCount: Int { handlers.count }

    /// Reads CLOCK_MONOTONIC in nanoseconds.
    public static func monotonicNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// Starts watching `fd` for `interest`, edge-triggered off: the handler is called while the condition holds.
    public func register(_ fd: Int32, interest: Interest, handler: EventHandler) throws {
        var event = epoll_event()
        event.events = Self.mask(interest)
        event.data.fd = fd
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) == 0 else {
            throw SystemCallError(call: "epoll_ctl(ADD)", errno: errno)
        }
        handlers[fd] = handler
    }

    /// Changes the interest of a registered descriptor.
    public func modify(_ fd: Int32, interest: Interest) {
        var event = epoll_event()
        event.events = Self.mask(interest)
        event.data.fd = fd
        // Failure here means the descriptor is gone; the owner notices on its next read or write.
        _ = epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event)
    }

    /// Stops watching `fd`. Call before closing it.
    public func unregister(_ fd: Int32) {
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
        handlers[fd] = nil
    }

    /// Makes sure `handler.deadlineExpired()` fires once `handler.deadline` has passed. A handler keeps at most
    /// one live heap entry: an entry earlier than the deadline re-arms itself when it fires.
    public func updateDeadline(_ handler: DeadlineHandler) {
        let wanted = handler.deadline
        guard wanted != 0 else { return }
        let scheduled = handler.scheduledDeadline
        if scheduled != 0, scheduled <= wanted { return }
        handler.scheduledDeadline = wanted
        deadlines.push(DeadlineEntry(time: wanted, handler: handler))
    }

    /// Converts seconds from now into a loop deadline.
    public func deadline(after seconds: Double) -> UInt64 {
        now &+ UInt64(max(0, seconds) * 1_000_000_000)
    }

    /// Queues `work` to run on the loop thread. Safe from any thread.
    public func execute(_ work: @escaping () -> Void) {
        queue.withLock { $0.append(work) }
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, 8)
    }

    /// Asks the loop to return from `run()` after the current iteration. Safe from any thread.
    public func stop() {
        stopRequested.store(true, ordering: .releasing)
        execute {}
    }

    /// Runs the loop on the calling thread until `stop()`.
    public func run() {
        threadID = CLinux_gettid()
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        while !stopRequested.load(ordering: .acquiring) {
            let timeout = nextTimeoutMilliseconds()
            let count = events.withUnsafeMutableBufferPointer { buffer in
                epoll_wait(epollFD, buffer.baseAddress, Int32(buffer.count), timeout)
            }
            now = Self.monotonicNanoseconds()
            if count > 0 {
                dispatch(events, count: Int(count))
            }
            fireDeadlines()
            runQueuedWork()
        }
    }

    private func dispatch(_ events: [epoll_event], count: Int) {
        for index in 0..<count {
            let event = events[index]
            let fd = event.data.fd
            if fd == wakeFD {
                var value: UInt64 = 0
                _ = Glibc.read(wakeFD, &value, 8)
                continue
            }
            // A handler unregistered by an earlier event in this batch is skipped.
            guard let handler = handlers[fd] else { continue }
            handler.handleEvent(
                readable: event.events & EPOLLIN.rawValue != 0,
                writable: event.events & EPOLLOUT.rawValue != 0,
                hangup: event.events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0)
        }
    }

    private func fireDeadlines() {
        while let first = deadlines.peek(), first.time <= now {
            deadlines.pop()
            // An entry replaced by an earlier one, or whose handler is gone, is stale.
            guard let handler = first.handler, handler.scheduledDeadline == first.time else { continue }
            handler.scheduledDeadline = 0
            let wanted = handler.deadline
            if wanted == 0 {
                continue
            } else if wanted <= now {
                handler.deadlineExpired()
            } else {
                updateDeadline(handler)
            }
        }
    }

    private func runQueuedWork() {
        let work = queue.withLock { pending -> [() -> Void] in
            let taken = pending
            pending.removeAll(keepingCapacity: true)
            return taken
        }
        for item in work {
            item()
        }
    }

    private func nextTimeoutMilliseconds() -> Int32 {
        if queue.withLock({ !$0.isEmpty }) { return 0 }
        guard let first = deadlines.peek() else { return 1000 }
        let current = Self.monotonicNanoseconds()
        if first.time <= current { return 0 }
        // Round up so the loop never wakes just before a deadline and spins.
        let milliseconds = (first.time - current + 999_999) / 1_000_000
        return Int32(min(milliseconds, 1000))
    }

    private static func mask(_ interest: Interest) -> UInt32 {
        var mask: UInt32 = 0
        if interest.contains(.read) { mask |= EPOLLIN.rawValue }
        if interest.contains(.write) { mask |= EPOLLOUT.rawValue }
        return mask
    }
}

/// Lets async middleware resume on the loop that owns its connection instead of the global pool.
extension EventLoop: TaskExecutor {
    public func enqueue(_ job: consuming ExecutorJob) {
        let unownedJob = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        execute {
            unownedJob.runSynchronously(on: executor)
        }
    }
}

struct DeadlineEntry {
    let time: UInt64
    weak var handler: DeadlineHandler?
}

/// A binary min-heap of deadlines; stale entries are skipped when they fire.
struct DeadlineHeap {
    private var entries: [DeadlineEntry] = []

    func peek() -> DeadlineEntry? { entries.first }

    mutating func push(_ entry: DeadlineEntry) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].time < entries[parent].time else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() {
        guard !entries.isEmpty else { return }
        entries.swapAt(0, entries.count - 1)
        entries.removeLast()
        var parent = 0
        while true {
            let left = parent * 2 + 1
            let right = left + 1
            var smallest = parent
            if left < entries.count, entries[left].time < entries[smallest].time { smallest = left }
            if right < entries.count, entries[right].time < entries[smallest].time { smallest = right }
            guard smallest != parent else { return }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
