// The baseline of `Benchmarks/compare --http`: an empty Hummingbird 2 POST handler, configured as
// `screenpop serve` configures Hummingbird, so that the pair's ratio is what ScreenPop adds to a post.
//
//   empty-post-server [--port 8089] [--host 127.0.0.1] [--log-level warning]
//
// What it shares with `screenpop serve`: Hummingbird's `Application` on the singleton event-loop group
// (one thread per core), HTTP/1 without TLS, no `Server` header, a logger whose handler formats metadata
// only when it writes (Hummingbird sets the request id on every request's logger), the level given.
// What it leaves out is the point of the comparison: ScreenPop's connection guards and head limits,
// its middlewares (request log, metrics, 404s, the token), and the API's work.
//
// `POST /api/v2/events` (and any path under it) reads the whole body, up to 1 MiB, and answers
// 200 `{"ok":true}`; `GET /health` answers 200 `{"status":"ok"}`.
#if canImport(Glibc)
import Glibc
#endif
import Hummingbird
import Logging

/// Keeps metadata as it is set and formats it only for a line it writes, as `ServerLogHandler` does.
struct QuietLogHandler: LogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line = "\(event.level) \(event.message)"
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            line += " \(key)=\(value)"
        }
        print(line)
    }
}

func usage(_ message: String) -> Never {
    print("empty-post-server: \(message)\nusage: empty-post-server [--port N] [--host H] [--log-level L]")
    exit(2)
}

var host = "127.0.0.1"
var port = 8089
var level = Logger.Level.warning
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    guard let value = arguments.next() else { usage("\(argument) needs a value") }
    switch argument {
    case "--port":
        guard let number = Int(value), (0...65535).contains(number) else { usage("--port takes 0 to 65535, not \(value)") }
        port = number
    case "--host":
        host = value
    case "--log-level":
        guard let parsed = Logger.Level(rawValue: value) else { usage("--log-level takes trace...critical, not \(value)") }
        level = parsed
    default:
        usage("unknown option \(argument)")
    }
}

let logger = Logger(label: "empty-post-server") { _ in QuietLogHandler(logLevel: level) }
let router = Router()
@Sendable func answer(_ json: StaticString) -> Response {
    var buffer = ByteBuffer()
    buffer.writeStaticString(json)
    return Response(
        status: .ok, headers: [.contentType: "application/json", .contentLength: String(buffer.readableBytes)],
        body: ResponseBody(byteBuffer: buffer))
}
router.post("/api/v2/events") { request, _ -> Response in
    _ = try await request.body.collect(upTo: 1 << 20)
    return answer(#"{"ok":true}"#)
}
router.get("/health") { _, _ -> Response in answer(#"{"status":"ok"}"#) }

let application = Application(
    router: router,
    configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
    onServerRunning: { channel in print("listening on \(channel.localAddress?.description ?? "?")") },
    logger: logger)
try await application.runService()
