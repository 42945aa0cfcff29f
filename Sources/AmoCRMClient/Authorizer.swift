import Synchronization

/// The bearer token in use, and its refresh, shared by every copy of a client.
///
/// Requests read the token with its generation; one that gets a 401 asks for a refresh "after"
/// that generation. If another request has refreshed since, it gets the newer token at once; if a
/// refresh is under way, it waits for that one; otherwise it starts one. So requests that hit 401
/// together refresh once (single flight), and a refresh token, which amoCRM accepts once, is sent
/// once.
final class Authorizer: Sendable {
    /// A token to send, and which refresh gave it (0: the first).
    struct Grant: Sendable {
        var accessToken: String
        var generation: Int
    }

    /// Nil for a long-lived token, which is never refreshed.
    let oauth: OAuthCredentials?

    private struct State {
        var tokens: TokenPair
        var generation = 0
        var inFlight: Task<Grant, any Error>?
        /// Every token and secret seen, longest first: never shown in an error.
        var secrets: [String]
    }

    private let state: Mutex<State>

    init(_ credentials: Credentials) {
        switch credentials {
        case .longLivedToken(let token):
            oauth = nil
            state = Mutex(
                State(tokens: TokenPair(accessToken: token, refreshToken: ""), secrets: Self.sorted([token])))
        case .oauth(let credentials):
            oauth = credentials
            state = Mutex(
                State(
                    tokens: credentials.tokens,
                    secrets: Self.sorted([
                        credentials.tokens.accessToken, credentials.tokens.refreshToken, credentials.clientSecret,
                    ])))
        }
    }

    var current: Grant { state.withLock { Grant(accessToken: $0.tokens.accessToken, generation: $0.generation) } }

    /// The pair in use.
    var tokens: TokenPair { state.withLock { $0.tokens } }

    /// A token newer than `generation`: the current one if a refresh has happened since, else the
    /// result of the refresh under way, else of a new one, which `perform` makes from the refresh
    /// token in use (it sends it, stores the new pair, and returns it).
    func refresh(
        after generation: Int, perform: @escaping @Sendable (OAuthCredentials, String) async throws -> TokenPair
    ) async throws -> Grant {
        guard let oauth else { return current }
        let task: Task<Grant, any Error>? = state.withLock { state in
            if state.generation > generation { return nil }
            if let inFlight = state.inFlight { return inFlight }
            let refreshToken = state.tokens.refreshToken
            let task = Task<Grant, any Error> {
                do {
                    let pair = try await perform(oauth, refreshToken)
                    return self.commit(pair)
                } catch {
                    self.state.withLock { $0.inFlight = nil }
                    throw error
                }
            }
            state.inFlight = task
            return task
        }
        guard let task else { return current }
        return try await task.value
    }

    private func commit(_ pair: TokenPair) -> Grant {
        state.withLock { state in
            state.tokens = pair
            state.generation += 1
            state.inFlight = nil
            return Grant(accessToken: pair.accessToken, generation: state.generation)
        }
    }

    /// Adds the tokens of `pair` to what ``redact(_:)`` hides (before anything could show them).
    func remember(_ pair: TokenPair) {
        state.withLock { $0.secrets = Self.sorted($0.secrets + [pair.accessToken, pair.refreshToken]) }
    }

    /// `text` with every token and secret seen replaced by `<redacted>`.
    func redact(_ text: String) -> String {
        let secrets = state.withLock { $0.secrets }
        var text = text
        for secret in secrets where text.contains(secret) { text = text.replacing(secret, with: "<redacted>") }
        return text
    }

    private static func sorted(_ secrets: [String]) -> [String] {
        Array(Set(secrets.filter { !$0.isEmpty })).sorted { $0.count > $1.count }
    }
}
