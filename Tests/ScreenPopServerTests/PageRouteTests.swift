import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@testable import ScreenPopServer

/// The agent's page as the server serves it: the language, the headers that keep the ticket in its
/// address safe, the assets, and what the three files may hold under the page's
/// Content-Security-Policy. (The page's behaviour is tested in a real browser:
/// Tests/Browser/page_test.py.)
@Suite("The agent's page")
struct PageRouteTests {
    static let policy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// The page's files as committed, next to the sources.
    static func committed(_ name: String) throws -> String {
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let file = tests.appendingPathComponent("../../Sources/ScreenPopServer/Page/\(name)").standardized
        return try String(contentsOf: file, encoding: .utf8)
    }

    @Test("GET / serves the page without a token, with the security headers")
    func page() async throws {
        try await LiveServer.with { server in
            for path in ["/", "/?ticket=anything", "/?ticket=T&lang=en"] {
                let reply = try await server.get(path, authorization: nil)
                #expect(reply.status == 200, "\(path)")
                #expect(reply.header("Content-Type") == "text/html; charset=utf-8")
                #expect(reply.header("Cache-Control") == "no-store")
                #expect(reply.header("Content-Security-Policy") == Self.policy)
                #expect(reply.header("Referrer-Policy") == "no-referrer")
                #expect(reply.header("X-Content-Type-Options") == "nosniff")
                #expect(reply.header("Vary") == "Accept-Language")
                #expect(reply.header("Content-Language") == "en")
                #expect(reply.body.contains(#"<html lang="en">"#))
                #expect(!reply.body.contains("{{"), "every placeholder is replaced")
                #expect(
                    reply.body == (try Self.committed("index.html")).replacingOccurrences(of: "{{lang}}", with: "en"))
            }
        }
    }

    @Test(
        "The page's language: ?lang=, else Accept-Language, else English",
        arguments: [
            ("/?lang=ru", nil, "ru"),
            ("/?lang=RU", nil, "ru"),
            ("/?lang=ru-RU", "en", "ru"),
            ("/?lang=en", "ru-RU,ru;q=0.9", "en"),
            ("/?lang=de", "ru", "ru"),
            ("/", "ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", "ru"),
            ("/", "en-US,en;q=0.9,ru;q=0.8", "en"),
            ("/", "de-DE, de;q=0.9, ru;q=0.5", "ru"),
            ("/", "de, en;q=0.4, ru;q=0.6", "ru"),
            ("/", "ru;q=0, en", "en"),
            ("/", "ru;q=0", "en"),
            ("/", "RU", "ru"),
            ("/", " ru ; q=0.8 , fr", "ru"),
            ("/", "*", "en"),
            ("/", "fr, de", "en"),
            ("/", nil, "en"),
        ] as [(String, String?, String)])
    func language(path: String, acceptLanguage: String?, expected: String) async throws {
        try await LiveServer.with { server in
            let reply = try await server.getPage(path, headers: acceptLanguage.map { [("Accept-Language", $0)] } ?? [])
            #expect(reply.status == 200)
            #expect(
                reply.body.contains(#"<html lang="\#(expected)">"#),
                "\(path) with \(acceptLanguage ?? "no Accept-Language")")
            #expect(reply.header("Content-Language") == expected)
        }
    }

    @Test("The assets: their content types, a short cache, the committed bytes")
    func assets() async throws {
        try await LiveServer.with { server in
            for (path, file, type) in [
                ("/assets/screen.css", "screen.css", "text/css; charset=utf-8"),
                ("/assets/screen.js", "screen.js", "text/javascript; charset=utf-8"),
            ] {
                let reply = try await server.get(path, authorization: nil)
                #expect(reply.status == 200)
                #expect(reply.header("Content-Type") == type)
                #expect(reply.header("Cache-Control") == "public, max-age=300")
                #expect(reply.header("X-Content-Type-Options") == "nosniff")
                #expect(reply.body == (try Self.committed(file)))
            }
            #expect(try await server.get("/assets/other.js", authorization: nil).status == 404)
        }
    }

    /// What the Content-Security-Policy would refuse, or what would let the CRM's names become markup.
    @Test("The files hold nothing the policy refuses, and the script writes no HTML")
    func contentRules() throws {
        let html = try Self.committed("index.html")
        let script = try Self.committed("screen.js")
        let css = try Self.committed("screen.css")
        // Inline scripts and styles, handlers, other hosts.
        #expect(html.components(separatedBy: "<script").count == 2, "one script element")
        #expect(html.contains(#"<script src="/assets/screen.js" defer></script>"#))
        for forbidden in [" style=", "<style", " onclick", " onload", "javascript:", "http://", "https://", "//cdn"] {
            #expect(!html.contains(forbidden), "index.html holds \(forbidden)")
        }
        for forbidden in ["@import", "url(http", "url(//"] {
            #expect(!css.contains(forbidden), "screen.css holds \(forbidden)")
        }
        // Names come from the CRM: never parsed as HTML, no code from strings.
        for forbidden in [
            "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
            "setAttribute('style'",
        ] {
            #expect(!script.contains(forbidden), "screen.js holds \(forbidden)")
        }
        // Every link opens a new tab without an opener or a referrer.
        #expect(script.contains("anchor.rel = 'noopener noreferrer'"))
    }

    @Test("The placeholder is replaced everywhere, and only it")
    func replacing() {
        let bytes = Array("a{{lang}}b{{lang}}{{lan}}".utf8)
        let replaced = PageController.replacing(Array("{{lang}}".utf8), with: Array("ru".utf8), in: bytes)
        #expect(String(decoding: replaced, as: UTF8.self) == "arubru{{lan}}")
    }
}

extension LiveServer {
    /// A GET without a token, with the given headers.
    func getPage(_ path: String, headers: [(String, String)]) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await client.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Reply(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            body: String(buffer: body))
    }
}
