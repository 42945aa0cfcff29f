import AccountIndex
import AccountSynthesis
import Benchmark
import CallEvents

// The events API's codec without HTTP (docs/performance.md, "Events codec"): what one
// `POST /api/v2/events` costs the server besides the network stack.
//
// Every iteration handles the same 1,000 requests, prepared beforehand, so that the allocation count
// of an iteration is exact and gated in CI (check-allocations.sh). "ns per request" and "ns per
// event" are the wall-clock time of an iteration divided by its requests and by its events;
// `wallClock` is the time of the whole iteration and `throughput` the iterations per second.
//
// - Decode_<encoding>-<n>: `CallEventsRequest(body:contentType:)`, decoding and validating a body
//   as a PBX posts it, with the Content-Type it sends (the server's first step).
// - Encode_response-<n>: `halJSON()` of the answer to decided events.
// - Roundtrip_decode-decide-encode: `CallEventsService.post(body:contentType:)` then `halJSON()`,
//   what EventsController does: decode, resolve on a small account, a random uid per event, the
//   (discarding) sink, the answer.
// - Decode_form-1MiB-users-<limit>: one 1 MiB form body per iteration, nothing but
//   `add[0][users][]=N` pairs after the event's type and number (58,250 users), so that the form
//   decoder stays linear in its users (issue 10: a copy of the whole list per pair took 17 s).
//   `raised-limit` decodes it whole (`maxUsersPerEvent` 100,000); `default-limit` reads it whole
//   and refuses it (`too_many_users`, 10,000). "ns per user" is the iteration's time per pair.
//
// Names use `_` where `/` would read better: benchmark 1.38.1 writes the thresholds of "A/b" to
// `Target.A_b.p90.json` but looks them up as `Target.A/b.p90.json`.

/// Wall-clock nanoseconds of an iteration divided by the requests in it, rounded.
let nsPerRequest = BenchmarkMetric.custom("ns per request", polarity: .prefersSmaller, useScalingFactor: false)
/// Wall-clock nanoseconds of an iteration divided by the events in it, rounded.
let nsPerEvent = BenchmarkMetric.custom("ns per event", polarity: .prefersSmaller, useScalingFactor: false)

/// Wall-clock nanoseconds of an iteration divided by the users of its body, rounded.
let nsPerUser = BenchmarkMetric.custom("ns per user", polarity: .prefersSmaller, useScalingFactor: false)

/// Requests per iteration: enough for the clock, and a fixed count so the mallocs are exact.
let requestsPerIteration = 1_000

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, nsPerRequest, nsPerEvent],
        timeUnits: .microseconds,
        warmupIterations: 3,
        maxDuration: .seconds(3),
        maxIterations: 10_000,
        // The gate is the allocation count, and it must not move at all; time is never gated.
        thresholds: [.mallocCountTotal: .strict]
    )

    let oneEvent = Array(Bodies.events.prefix(1))
    let tenEvents = Bodies.events
    let json1 = Bodies.json(oneEvent)
    let json10 = Bodies.json(tenEvents)
    let form1 = Array(Bodies.phpFormOneEvent.utf8)
    // The bodies must say what the names say: decoding gives back the events they were written from.
    precondition(decode(json1, Bodies.jsonType).events == oneEvent.map(\.decoded))
    precondition(decode(json10, Bodies.jsonType).events == tenEvents.map(\.decoded))
    precondition(decode(form1, Bodies.formType).events == oneEvent.map(\.decoded))

    let service = CallEventsService(
        index: Account.index, configuration: CallEventsConfiguration(users: Account.users, names: Account.names),
        sink: DiscardingSink())
    /// The answers to decided events, as the service makes them: leads, cards, create-contact nulls.
    func response(_ body: [UInt8]) -> CallEventsResponse {
        let notifications = try! service.notifications(for: decode(body, Bodies.jsonType))
        return CallEventsResponse(items: notifications.map(\.responseItem))
    }
    let response1 = response(json1)
    let response10 = response(json10)
    precondition(response10.items.contains { $0.elementID == nil } && response10.items.contains { $0.elementID != nil })

    for (name, body, contentType, events) in [
        ("Decode_json-1-event", json1, Bodies.jsonType, 1),
        ("Decode_json-10-events", json10, Bodies.jsonType, 10),
        ("Decode_form-1-event", form1, Bodies.formType, 1),
    ] {
        Benchmark(name) { benchmark in
            let start = ContinuousClock.now
            for _ in 0..<requestsPerIteration {
                blackHole(decode(body, contentType))
            }
            benchmark.record(since: start, events: events)
        }
    }

    for (name, response) in [("Encode_response-1-event", response1), ("Encode_response-10-events", response10)] {
        Benchmark(name) { benchmark in
            let start = ContinuousClock.now
            for _ in 0..<requestsPerIteration {
                blackHole(response.halJSON())
            }
            benchmark.record(since: start, events: response.items.count)
        }
    }

    Benchmark("Roundtrip_decode-decide-encode") { (benchmark: Benchmark) async in
        let start = ContinuousClock.now
        for _ in 0..<requestsPerIteration {
            let response = try! await service.post(body: json1, contentType: Bodies.jsonType)
            blackHole(response.halJSON())
        }
        benchmark.record(since: start, events: 1)
    }

    // One large body per iteration: milliseconds each, where the quadratic decoder took seconds.
    let large = Bodies.formUsers(filling: 1 << 20)
    let raised = CallEventsLimits(maxUsersPerEvent: 100_000)
    precondition(large.body.count <= 1 << 20 && large.users > CallEventsLimits().maxUsersPerEvent)
    precondition(decode(large.body, Bodies.formType, limits: raised).events[0].users?.count == large.users)
    precondition(refusal(large.body, Bodies.formType)?.code == .tooManyUsers)
    // The allocation count is gated as the others': a copy of the list per pair would add 58,000.
    let largeConfiguration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal, nsPerUser], timeUnits: .milliseconds,
        warmupIterations: 1, maxDuration: .seconds(3), maxIterations: 1_000,
        thresholds: [.mallocCountTotal: .strict])
    Benchmark("Decode_form-1MiB-users-raised-limit", configuration: largeConfiguration) { benchmark in
        let start = ContinuousClock.now
        blackHole(decode(large.body, Bodies.formType, limits: raised))
        benchmark.record(since: start, users: large.users)
    }
    Benchmark("Decode_form-1MiB-users-default-limit", configuration: largeConfiguration) { benchmark in
        let start = ContinuousClock.now
        blackHole(refusal(large.body, Bodies.formType))
        benchmark.record(since: start, users: large.users)
    }
}

/// A body the setup has already decoded once, so it cannot fail here.
@inline(__always)
func decode(
    _ body: [UInt8], _ contentType: String, limits: CallEventsLimits = CallEventsLimits()
) -> CallEventsRequest {
    try! CallEventsRequest(body: body, contentType: contentType, limits: limits)
}

/// The error a body is refused with; nil if it is accepted.
@inline(__always)
func refusal(_ body: [UInt8], _ contentType: String) -> CallEventsError? {
    do {
        _ = try CallEventsRequest(body: body, contentType: contentType)
        return nil
    } catch {
        return error
    }
}

/// The request bodies, written from one list of events the way the clients write them.
enum Bodies {
    /// What the JavaScript example sends (`JSON.stringify`, `charset=utf-8`).
    static let jsonType = "application/json; charset=utf-8"
    /// What PHP's `http_build_query` example sends.
    static let formType = "application/x-www-form-urlencoded"

    /// One event as a PBX posts it; `users` of nil leaves the member out.
    struct Event {
        var phoneNumber: String
        var users: [Int]?

        /// What decoding must give: `[]` means every user, as no `users` does.
        var decoded: CallEvent {
            CallEvent(phoneNumber: phoneNumber, users: users.flatMap { $0.isEmpty ? nil : $0 })
        }
    }

    /// Ten calls in the formats PBXs and people write, with every kind of `users`: one id, several,
    /// a repeat, `[]` and none (every user). All resolve on ``Account``.
    static let events: [Event] = [
        Event(phoneNumber: "+7 (999) 888-55-33", users: [101, 102]),
        Event(phoneNumber: "89990001122", users: [101]),
        Event(phoneNumber: "+79990002233", users: nil),
        Event(phoneNumber: "8 (495) 123-45-67", users: [103, 101, 104]),
        Event(phoneNumber: "+7 999 111-22-33", users: [102]),
        Event(phoneNumber: "7(999)8885533", users: []),
        Event(phoneNumber: "8-999-000-11-22", users: [101, 101]),
        Event(phoneNumber: "+7 916 123 45 67", users: [105]),
        Event(phoneNumber: "9990002233", users: [102, 103]),
        Event(phoneNumber: "+7 (495) 123-45-67", users: [101, 102, 103, 104, 105]),
    ]

    /// `{"add":[{"type":"phone_call","phone_number":"…","users":[…]},…]}`, compact as `JSON.stringify`.
    static func json(_ events: [Event]) -> [UInt8] {
        let items = events.map { event in
            precondition(!event.phoneNumber.contains("\"") && !event.phoneNumber.contains("\\"))
            var item = #"{"type":"phone_call","phone_number":""# + event.phoneNumber + "\""
            if let users = event.users {
                item += #","users":["# + users.map(String.init).joined(separator: ",") + "]"
            }
            return item + "}"
        }
        return Array((#"{"add":["# + items.joined(separator: ",") + "]}").utf8)
    }

    /// One event whose `users[]` pairs fill `bytes`: `add[0][users][]=N` with N of one digit (0-9,
    /// in turn), 18 bytes a pair, as many as fit after the type and the number.
    static func formUsers(filling bytes: Int) -> (body: [UInt8], users: Int) {
        var body = Array("add[0][type]=phone_call&add[0][phone_number]=%2B79998885533".utf8)
        let pair = Array("&add[0][users][]=0".utf8)
        var users = 0
        while body.count + pair.count <= bytes {
            body += pair.dropLast()
            body.append(UInt8(ascii: "0") + UInt8(users % 10))
            users += 1
        }
        return (body, users)
    }

    /// The first event as `http_build_query(['add' => [[…]]])` writes it: brackets, `+` and
    /// parentheses percent-encoded, spaces as `+`.
    static let phpFormOneEvent =
        "add%5B0%5D%5Btype%5D=phone_call&add%5B0%5D%5Bphone_number%5D=%2B7+%28999%29+888-55-33"
        + "&add%5B0%5D%5Busers%5D%5B0%5D=101&add%5B0%5D%5Busers%5D%5B1%5D=102"
}

/// `SampleAccount` (one number for each kind of answer) and a fifth contact; the roundtrip times
/// the codec and one resolve, not the index's size (AccountIndexBenchmarks does that).
enum Account {
    static let users = [101, 102, 103, 104, 105]

    static let data: AccountData = {
        var data = SampleAccount.data
        data.contacts.append(
            Contact(id: 5, createdAt: 100, phones: [PhoneValue("+7 916 123-45-67")]))
        return data
    }()

    static let index = AccountIndex(building: data)
    static let names = EntityNames(SampleAccount.names + [(.contact(5), "Pyotr")])
}

/// Drops the notifications: delivery is the embedding's cost, not the codec's.
struct DiscardingSink: NotificationSink {
    func deliver(_ notifications: [CallNotification]) async {
        blackHole(notifications.count)
    }
}

extension Benchmark {
    /// Stops the measurement (so that recording does not count) and records the time per request
    /// and per event of an iteration of ``requestsPerIteration`` requests of `events` events each.
    func record(since start: ContinuousClock.Instant, events: Int) {
        let elapsed = ContinuousClock.now - start
        stopMeasurement()
        let (seconds, attoseconds) = elapsed.components
        let nanoseconds = Double(seconds) * 1e9 + Double(attoseconds) / 1e9
        measurement(nsPerRequest, Int((nanoseconds / Double(requestsPerIteration)).rounded()))
        measurement(nsPerEvent, Int((nanoseconds / Double(requestsPerIteration * events)).rounded()))
    }

    /// Stops the measurement and records the time per user of an iteration of one body of `users`.
    func record(since start: ContinuousClock.Instant, users: Int) {
        let elapsed = ContinuousClock.now - start
        stopMeasurement()
        let (seconds, attoseconds) = elapsed.components
        let nanoseconds = Double(seconds) * 1e9 + Double(attoseconds) / 1e9
        measurement(nsPerUser, Int((nanoseconds / Double(users)).rounded()))
    }
}
