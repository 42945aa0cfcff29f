import HTTPTypes
import Hummingbird
import NIOCore
import ScreenPopSupport

/// The agent's page: `GET /?ticket=T[&lang=ru|en]`, and its script and style at `/assets/`.
///
/// The three files are in `Page/`, embedded in the binary (no build step, nothing from another
/// host). The page reads the ticket from its own address and talks only to this server
/// (docs/events-api.md, "The agent's page"). The routes need no token: the page is the same for
/// everyone, and the ticket, not the page, is what opens a user's stream.
struct PageController: Sendable {
    func addRoutes(to router: some RouterMethods<ServerRequestContext>) {
        router.get("/") { request, _ -> Response in
            let language = PageLanguage(
                query: request.uri.queryParameters["lang"].map(String.init),
                acceptLanguage: request.headers[.acceptLanguage])
            var headers = Self.securityHeaders
            headers[.contentType] = "text/html; charset=utf-8"
            // The page carries no data, but the ticket is in its address: keep it out of caches.
            headers[.cacheControl] = "no-store"
            headers[.contentLanguage] = language.rawValue
            headers[.vary] = "Accept-Language"
            return Self.response(Self.pages[language.index], headers: headers)
        }
        router.get("/assets/screen.css") { _, _ -> Response in
            Self.asset(Self.css, contentType: "text/css; charset=utf-8")
        }
        router.get("/assets/screen.js") { _, _ -> Response in
            Self.asset(Self.script, contentType: "text/javascript; charset=utf-8")
        }
    }

    /// What every answer of the page carries: the page may load only its own two files and talk
    /// only to this server; no frame may hold it; a followed link tells amoCRM nothing, so the
    /// ticket in the page's address does not leak through `Referer`.
    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy: contentSecurityPolicy,
        .referrerPolicy: "no-referrer",
        .xContentTypeOptions: "nosniff",
    ]

    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// The page in each language: `{{lang}}` in `index.html` replaced once, at first use.
    static let pages: [ByteBuffer] = PageLanguage.allCases.map { language in
        ByteBuffer(
            bytes: replacing(
                Array("{{lang}}".utf8), with: Array(language.rawValue.utf8), in: PackageResources.index_html))
    }
    static let css = ByteBuffer(bytes: PackageResources.screen_css)
    static let script = ByteBuffer(bytes: PackageResources.screen_js)

    /// A short cache: the files are not versioned, and a new release should reach open pages soon.
    static func asset(_ bytes: ByteBuffer, contentType: String) -> Response {
        var headers = securityHeaders
        headers[.contentType] = contentType
        headers[.cacheControl] = "public, max-age=300"
        return response(bytes, headers: headers)
    }

    static func response(_ bytes: ByteBuffer, headers: HTTPFields) -> Response {
        var headers = headers
        headers[.contentLength] = String(bytes.readableBytes)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: bytes))
    }

    /// `bytes` with every `placeholder` replaced by `replacement`.
    static func replacing(_ placeholder: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == placeholder[0], bytes.count - index >= placeholder.count,
                bytes[index..<index + placeholder.count].elementsEqual(placeholder)
            {
                result += replacement
                index += placeholder.count
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }
}

/// The language of the agent's page: `?lang=` when it names one the page has, else the first
/// of the page's languages that `Accept-Language` prefers, else English.
enum PageLanguage: String, CaseIterable, Sendable {
    case en
    case ru

    var index: Int { Self.allCases.firstIndex(of: self)! }

    /// - Parameters:
    ///   - query: The `lang` query parameter (`ru`, `en`, `ru-RU`; any case).
    ///   - acceptLanguage: The `Accept-Language` header (`ru-RU,ru;q=0.9,en;q=0.8`).
    init(query: String?, acceptLanguage: String?) {
        if let query, let language = Self(tag: query) {
            self = language
            return
        }
        var best: (language: PageLanguage, quality: Double)?
        for range in (acceptLanguage ?? "").split(separator: ",") {
            let parts = range.split(separator: ";")
            guard let tag = parts.first, let language = Self(tag: tag) else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0].trimmingASCIIWhitespace.lowercased() == "q" {
                    quality = Double(pair[1].trimmingASCIIWhitespace) ?? 0
                }
            }
            // q=0 means "not this one"; on a tie the earlier range wins.
            if quality > 0, quality > (best?.quality ?? 0) { best = (language, quality) }
        }
        self = best?.language ?? .en
    }

    /// The language of a tag's primary subtag: `ru-RU` → `.ru`; nil for languages the page lacks.
    init?(tag: some StringProtocol) {
        let primary = tag.trimmingASCIIWhitespace.split(separator: "-", maxSplits: 1).first.map { $0.lowercased() }
        guard let primary, let language = Self(rawValue: primary) else { return nil }
        self = language
    }
}

extension HTTPField.Name {
    /// `Referrer-Policy`, which swift-http-types does not name.
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
