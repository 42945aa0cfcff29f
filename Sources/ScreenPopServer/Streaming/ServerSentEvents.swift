import NIOCore

/// The bytes of a `text/event-stream` (WHATWG HTML, "Server-sent events").
enum ServerSentEvents {
    /// `id: <id>\ndata: <json>\n\n`: one notification. The JSON is one line (compact, and the
    /// writer escapes control characters), so one `data` line carries it.
    static func event(_ event: NotificationHub.Event, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("id: ")
        buffer.writeString(String(event.id))
        buffer.writeStaticString("\ndata: ")
        buffer.writeImmutableBuffer(event.data)
        buffer.writeStaticString("\n\n")
    }

    /// A comment line, which clients ignore: heartbeats and the greeting.
    static func comment(_ text: StaticString, into buffer: inout ByteBuffer) {
        buffer.writeStaticString(": ")
        buffer.writeStaticString(text)
        buffer.writeStaticString("\n\n")
    }

    /// `event: ticket-expired`: the stream's ticket expired, so the stream ends and a reconnection
    /// would be refused; a page asks its integration for a new ticket.
    static func ticketExpired(into buffer: inout ByteBuffer) {
        buffer.writeStaticString("event: ticket-expired\ndata: {}\n\n")
    }

    /// `retry: <ms>\n\n`: how long a client waits before reconnecting.
    static func retry(milliseconds: Int, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("retry: ")
        buffer.writeString(String(milliseconds))
        buffer.writeStaticString("\n\n")
    }
}
