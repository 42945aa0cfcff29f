import AccountSynthesis
import AmoCRM
import AmoCRMStandIn

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// amocrm-standin [--contacts N] [--seed S] [--port P] [--host H] [--users U] [--control]
// Serves a synthetic account of N contacts as amoCRM's API v4 until SIGINT or SIGTERM, for manual
// tries and benchmarks of clients. Prints the base URL and the tokens it accepts. `--users U` gives
// the account users 501 to 500 + U (one by default); `--control` adds the routes that change the
// account over HTTP (`POST /standin/contact`, `/standin/lead`), which the soak and crash scripts use.

var contacts = 1_000
var seed: UInt64 = 1
var port = 8_090
var host = "127.0.0.1"
var userCount = 1
var control = false
let arguments = Array(CommandLine.arguments.dropFirst())
var i = 0
while i < arguments.count {
    let argument = arguments[i]
    if argument == "--control" {
        control = true
        i += 1
        continue
    }
    let value = i + 1 < arguments.count ? arguments[i + 1] : nil
    i += 2
    switch (argument, value) {
    case ("--contacts", let value?): contacts = Int(value) ?? contacts
    case ("--seed", let value?): seed = UInt64(value) ?? seed
    case ("--port", let value?): port = Int(value) ?? port
    case ("--host", let value?): host = value
    case ("--users", let value?): userCount = max(1, Int(value) ?? userCount)
    default:
        print("usage: amocrm-standin [--contacts N] [--seed S] [--port P] [--host H] [--users U] [--control]")
        exit(argument == "--help" || argument == "-h" ? 0 : 64)
    }
}

/// A line on standard output, unbuffered (the port must reach a reader that waits for it).
@Sendable func say(_ line: String) {
    var bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeMutableBytes { write(1, $0.baseAddress, $0.count) }
}

let users = (1...userCount).map { n in
    n == 1
        ? AccountUser(id: 501, name: "Stand-in user", email: "user@example.com")
        : AccountUser(id: 500 + n, name: "Stand-in user \(n)", email: "user\(n)@example.com")
}
let standIn = AmoCRMStandIn(SyntheticAccount(seed: seed, contacts: contacts), users: users)
let tokens = standIn.tokens
try await standIn.serve(host: host, port: port, control: control) { [host, contacts, seed, standIn, tokens] port in
    say("amoCRM stand-in: http://\(host):\(port), \(contacts) contacts (seed \(seed))")
    say("long-lived token: \(standIn.token)")
    say(
        "OAuth: client \(standIn.oauthApp.clientID), secret \(standIn.oauthApp.clientSecret), "
            + "redirect \(standIn.oauthApp.redirectURI), access \(tokens.accessToken), refresh \(tokens.refreshToken)")
}
