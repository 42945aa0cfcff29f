import PostgresNIO

extension PostgresConnection {
    /// Closes the connection and returns once its channel is inactive.
    ///
    /// `close()` resumes its caller when the close future completes, which is while the event loop is
    /// still closing the channel; a caller that then drops the last reference deinitializes the
    /// connection while it still counts as open, which postgres-nio asserts against. A task on the
    /// event loop runs after the close is done.
    package func closeAndSettle() async {
        try? await close()
        try? await eventLoop.submit {}.get()
    }
}
