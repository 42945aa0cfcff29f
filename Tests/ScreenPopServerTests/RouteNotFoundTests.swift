import Foundation
import HTTPTypes
import Hummingbird
import ScreenPopServer
import Testing

/// The JSON body of a 404: what a path or method no route takes is told.
func notFoundBody(_ method: String, _ path: String) -> String {
    #"{"error":{"code":"not_found","message":"no route \#(method) \#(path); the API is POST /api/v2/events, "#
        + #"and a user's live stream GET /api/v2/events/stream?user_id=N","index":null,"field":null,"path":null}}"#
}

@Suite("404 and 405 as JSON errors")
struct RouteNotFoundTests {
    @Test(arguments: [
        (HTTPRequest.Method.get, "/x"), (.post, "/api/v2/event"), (.get, "/nowhere"), (.put, "/api/v3/events"),
        (.get, "/api/v2/events/stream/x"),
    ])
    func anUnknownRouteIsNamed(_ method: HTTPRequest.Method, _ path: String) async throws {
        try await RouterTest.with { server in
            // No token is needed to be told that a route does not exist.
            let reply = try await server.request(method, path, authorization: nil)
            #expect(reply.status == 404)
            #expect(reply.header("Content-Type") == "application/json")
            #expect(reply.body == notFoundBody(method.rawValue, path))
            #expect(reply.header("Allow") == nil)
            #expect(reply.header("X-Request-Id")?.isEmpty == false)
        }
    }

    @Test(arguments: [
        (HTTPRequest.Method.get, "/api/v2/events", "POST"), (.get, "/api/v2/events/", "POST"),
        (.put, "/api/v2/events", "POST"), (.post, "/api/v2/events/stream", "GET"), (.post, "/health", "GET"),
        (.delete, "/ready", "GET"), (.post, "/api/v2/sync/status", "GET"), (.post, "/", "GET"),
        // No route is made for HEAD (the router does not generate them): the GET route is named.
        (.head, "/health", "GET"),
    ])
    func aKnownPathWithAnotherMethodIs405(_ method: HTTPRequest.Method, _ path: String, _ allow: String) async throws {
        try await RouterTest.with { server in
            let reply = try await server.request(method, path, authorization: nil)
            #expect(reply.status == 405)
            #expect(reply.header("Allow") == allow)
            guard method != .head else { return }
            #expect(reply.header("Content-Type") == "application/json")
            let error = try #require(reply.error)
            #expect(error["code"] as? String == "method_not_allowed")
            #expect(error["message"] as? String == "\(path) does not take \(method.rawValue); it takes \(allow)")
            #expect(error["index"] is NSNull && error["field"] is NSNull && error["path"] is NSNull)
            #expect(server.recorder.batchCount == 0)
        }
    }

    /// Every path of the router, asked with a method it does not take, lists exactly its methods:
    /// the table is the router's own, whatever routes are added.
    @Test func theAllowListIsTheRoutersOwn() async throws {
        try await RouterTest.with { server in
            var methods: [String: (path: String, methods: Set<String>)] = [:]
            for route in server.server.router().routes {
                let path = "/" + route.path.map { concrete($0.description) }.joined(separator: "/")
                methods[route.path.description, default: (path, [])].methods.insert(route.method.rawValue)
            }
            #expect(methods.count >= 5)
            for (pattern, entry) in methods {
                let unused = try #require(
                    ["PATCH", "DELETE", "PUT", "POST", "GET"].first { !entry.methods.contains($0) }, "\(pattern)")
                let reply = try await server.request(HTTPRequest.Method(unused)!, entry.path, authorization: nil)
                #expect(reply.status == 405, "\(unused) \(pattern)")
                #expect(reply.header("Allow") == entry.methods.sorted().joined(separator: ", "), "\(pattern)")
            }
        }
    }

    /// Behind the token, a route answers as before: 401 first, then its own answers.
    @Test func knownRoutesAreUnchanged() async throws {
        try await RouterTest.with { server in
            let unauthorized = try await server.request(.post, "/api/v2/events", body: "{}", authorization: nil)
            #expect(unauthorized.status == 401)
            let health = try await server.request(.get, "/health", authorization: nil)
            #expect(health.status == 200)
            let stream = try await server.request(.get, "/api/v2/events/stream?user_id=x")
            #expect(stream.status == 400)
        }
    }

    /// A segment that a pattern's segment matches: `x` for each capture (`{name}`) or wildcard.
    private func concrete(_ pattern: String) -> String {
        var segment = ""
        var inCapture = false
        for character in pattern {
            switch character {
            case "{":
                inCapture = true
                segment += "x"
            case "}": inCapture = false
            case "*": segment += "x"
            default: if !inCapture { segment.append(character) }
            }
        }
        return segment
    }
}
