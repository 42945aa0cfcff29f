import CallEvents

extension ServedAccount {
    /// A post to the account's service, as ``CallEvents/CallEventsService/post(body:contentType:)``
    /// does it (decode, resolve, deliver, answer), with the resolve phase timed for
    /// `screenpop_resolve_duration_seconds`: every event of the request resolved on one snapshot
    /// and its notification made, the decoding and the delivery left out. One clock read on each
    /// side of the phase, per request rather than per event, which keeps it cheap.
    ///
    /// - Throws: ``CallEvents/CallEventsError``, and then nothing was delivered.
    func post(body: some Collection<UInt8>, contentType: String?) async throws(CallEventsError) -> CallEventsResponse {
        let request = try CallEventsRequest(body: body, contentType: contentType, limits: service.configuration.limits)
        let start = ContinuousClock.now
        let notifications = try service.notifications(for: request)
        metrics.resolveDuration.record(ContinuousClock.now - start)
        await service.sink.deliver(notifications)
        return CallEventsResponse(items: notifications.map(\.responseItem))
    }
}
