import AccountSynthesis
import CallEvents
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import ScreenPopServer

/// The server's routes without a socket (HummingbirdTesting's router mode): for what a request
/// means. Tests about the wire (slow clients, streams, codings, concurrency) use ``LiveServer``.
struct RouterTest: Sendable {
    let client: any TestClientProtocol
    let server: ScreenPopServer
    let recorder: RecordingSink

    static func with(_ body: @escaping @Sendable (RouterTest) async throws -> Void) async throws {
        let recorder = RecordingSink()
        let server = ScreenPopServer(
            index: ServerTestAccount.index,
            events: CallEventsConfiguration(users: ServerTestAccount.users, names: EntityNames(SampleAccount.names)),
            configuration: ServerConfiguration(port: 0, apiToken: APIToken(ServerTestAccount.token)!),
            additionalSinks: [recorder], logger: LiveServer.logger())
        try await server.application().test(.router) { client in
            try await body(RouterTest(client: client, server: server, recorder: recorder))
        }
    }

    /// A request; `authorization` nil sends none.
    func request(
        _ method: HTTPRequest.Method, _ uri: String, body: String? = nil, contentType: String? = "application/json",
        authorization: String? = "Bearer \(ServerTestAccount.token)"
    ) async throws -> LiveServer.Reply {
        var headers = HTTPFields()
        if let authorization { headers[.authorization] = authorization }
        if let contentType, body != nil { headers[.contentType] = contentType }
        let response = try await client.execute(
            uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        return LiveServer.Reply(
            status: Int(response.status.code), headers: response.headers.map { ($0.name.rawName, $0.value) },
            body: String(buffer: response.body))
    }
}
