import NIOConcurrencyHelpers

/// The messages waiting to be written to one stream, bounded in bytes.
///
/// The hub pushes without ever waiting; the stream's writer takes them one by one. When a push
/// would put more than the limit in the queue, the queue is emptied and finished instead: the
/// writer ends the stream, and the client reconnects with `Last-Event-ID`. So a post never waits
/// for a reader, and a reader that never reads holds at most the limit.
public final class StreamQueue: AsyncSequence, Sendable {
    public typealias Element = NotificationHub.Message

    private struct State {
        var messages = FIFO<(message: NotificationHub.Message, bytes: Int)>()
        var bytes = 0
        var isFinished = false
        /// The events discarded when the queue overflowed, the one that did not fit included.
        var droppedEvents = 0
        var waiter: CheckedContinuation<NotificationHub.Message?, Never>?
    }

    private let state = NIOLockedValueBox(State())
    /// The most bytes that may wait.
    let byteLimit: Int
    /// Called once when the queue overflows: the stream's writer may be stuck in a write to a
    /// client that does not read, so waiting for it to notice is not enough.
    private let onOverflow: @Sendable () -> Void

    init(byteLimit: Int, onOverflow: @escaping @Sendable () -> Void) {
        self.byteLimit = byteLimit
        self.onOverflow = onOverflow
    }

    /// The events discarded when the queue overflowed (0 if it has not).
    var droppedEventCount: Int { state.withLockedValue { $0.droppedEvents } }

    /// Tells the stream's owner that the queue overflowed; call outside the hub's lock.
    func reportOverflow() {
        onOverflow()
    }

    /// Queues a message of `bytes` bytes, or hands it to the waiting writer.
    ///
    /// - Returns: false when the queue was full: it is then finished and empty.
    func push(_ message: NotificationHub.Message, bytes: Int) -> Bool {
        enum Outcome { case queued, handed(CheckedContinuation<NotificationHub.Message?, Never>), overflowed }
        let outcome: Outcome = state.withLockedValue { state in
            guard !state.isFinished else { return .queued }
            if let waiter = state.waiter {
                state.waiter = nil
                return .handed(waiter)
            }
            guard state.bytes + bytes <= byteLimit else {
                state.droppedEvents = state.messages.elements.count { $0.message.isEvent } + (message.isEvent ? 1 : 0)
                state.isFinished = true
                state.messages.removeAll()
                state.bytes = 0
                return .overflowed
            }
            state.messages.append((message, bytes))
            state.bytes += bytes
            return .queued
        }
        switch outcome {
        case .queued: return true
        case .handed(let waiter):
            waiter.resume(returning: message)
            return true
        case .overflowed: return false
        }
    }

    /// Ends the stream once the queued messages are taken.
    func finish() {
        let waiter: CheckedContinuation<NotificationHub.Message?, Never>? = state.withLockedValue { state in
            state.isFinished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The next message; nil once the queue is finished and empty, or the task is cancelled.
    func next() async -> NotificationHub.Message? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<NotificationHub.Message?, Never>) in
                let ready: NotificationHub.Message?? = state.withLockedValue { state in
                    if let (message, bytes) = state.messages.popFirst() {
                        state.bytes -= bytes
                        return .some(message)
                    }
                    if state.isFinished || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            finish()
        }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let queue: StreamQueue
        public mutating func next() async -> NotificationHub.Message? { await queue.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(queue: self) }
}

extension NotificationHub.Message {
    var isEvent: Bool {
        if case .event = self { return true }
        return false
    }
}
