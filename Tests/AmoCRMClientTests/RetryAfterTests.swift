import AccountSynthesis
import AmoCRMStandIn
import Foundation
import Testing

@testable import AmoCRMClient

/// `Retry-After` as seconds or as an HTTP date (RFC 9110), parsed without Foundation.
@Suite struct RetryAfterTests {
    static let dates: [(String, Int?)] = [
        // The three forms of RFC 9110's example, the same instant.
        ("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777),
        ("Sunday, 06-Nov-94 08:49:37 GMT", 784_111_777),
        ("Sun Nov  6 08:49:37 1994", 784_111_777),
        ("Sun Nov 06 08:49:37 1994", 784_111_777),
        ("  Thu, 01 Jan 1970 00:00:00 GMT\t", 0),
        ("Tue, 29 Feb 2028 23:59:59 GMT", 1_835_481_599),
        ("Fri, 31 Dec 9999 23:59:59 GMT", 253_402_300_799),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 1_445_412_480),
        // Not dates.
        ("Sun, 06 Nov 1994 08:49:37 UTC", nil),
        ("Sun, 6 Nov 1994 08:49:37 GMT", nil),
        ("Sun, 06 nov 1994 08:49:37 GMT", nil),
        ("Sun 06 Nov 1994 08:49:37 GMT", nil),
        ("Sun, 30 Feb 1994 08:49:37 GMT", nil),
        ("Mon, 29 Feb 2100 08:49:37 GMT", nil),
        ("Sun, 06 Nov 1994 24:00:00 GMT", nil),
        ("Sun, 06 Nov 1994 08:49 GMT", nil),
        ("Sun, 06 Nov 94 08:49:37 GMT", nil),
        ("Funday, 06-Nov-94 08:49:37 GMT", nil),
        ("120", nil),
        ("", nil),
    ]

    @Test(arguments: dates) func httpDates(_ text: String, _ seconds: Int?) {
        #expect(HTTPDate.parse(text, currentYear: 2026) == seconds)
    }

    @Test func rfc850YearsAreNeverMoreThanFiftyYearsAhead() {
        #expect(HTTPDate.parse("Monday, 01-Jan-24 00:00:00 GMT", currentYear: 2026) == 1_704_067_200)
        // 2076 would be 50 years on: still taken as 2076; 2077 would be 51: taken as 1977.
        #expect(HTTPDate.parse("Wednesday, 01-Jan-76 00:00:00 GMT", currentYear: 2026) == 3_345_062_400)
        #expect(HTTPDate.parse("Saturday, 01-Jan-77 00:00:00 GMT", currentYear: 2026) == 220_924_800)
    }

    @Test(arguments: [0, 784_111_777, 951_782_400, 1_835_481_599, 253_402_300_799, 86_399, 86_400])
    func formattedDatesParseBack(_ seconds: Int) {
        #expect(HTTPDate.parse(HTTPDate.format(seconds)) == seconds)
    }

    @Test func formatIsIMFFixdate() {
        #expect(HTTPDate.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(951_782_400) == "Tue, 29 Feb 2000 00:00:00 GMT")
    }

    @Test func delays() {
        let now: Int64 = 1_000_000_000_000_000_000  // Unix nanoseconds
        #expect(RetryAfter.delay("3", now: now) == .seconds(3))
        #expect(RetryAfter.delay(" 3 ", now: now) == .seconds(3))
        #expect(RetryAfter.delay(HTTPDate.format(1_000_000_007), now: now) == .seconds(7))
        #expect(RetryAfter.delay(HTTPDate.format(1_000_000_007), now: now + 500_000_000) == .milliseconds(6_500))
        #expect(RetryAfter.delay(HTTPDate.format(999_999_000), now: now) == .zero, "a date past: no wait")
        #expect(RetryAfter.delay("-3", now: now) == nil)
        #expect(RetryAfter.delay("soon", now: now) == nil)
    }

    @Test func anHTTPDateRetryAfterIsWaitedFor() async throws {
        let standIn = AmoCRMStandIn(SyntheticAccount(seed: 3, contacts: 20))
        try await standIn.run { standIn in
            // Three seconds ahead at whole-second precision: more than two seconds from now.
            let until = Int(Date().timeIntervalSince1970) + 3
            standIn.fail([.status(503, retryAfter: HTTPDate.format(until))])
            let start = ContinuousClock.now
            let account = try await AmoCRMClientTests.client(standIn).accountObject()
            #expect(account.account?.country == "RU")
            // The backoff without Retry-After is 10 ms: only the date makes the client wait this long.
            #expect(ContinuousClock.now - start >= .seconds(2))
            #expect(Int(Date().timeIntervalSince1970) >= until)
            #expect(standIn.log.map(\.status) == [503, 200])
        }
    }
}
