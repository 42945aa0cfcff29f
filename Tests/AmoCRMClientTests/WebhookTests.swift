import AccountSynthesis
import AmoCRMClient
import AmoCRMStandIn
import Testing

@Suite struct WebhookTests {
    @Test func aWebhookIsRegisteredAndRegisteringAgainUpdatesIt() async throws {
        let standIn = AmoCRMStandIn(SyntheticAccount(seed: 3, contacts: 5), users: AmoCRMClientTests.users)
        try await standIn.run { standIn in
            let client = AmoCRMClientTests.client(standIn)
            let destination = "https://screenpop.example/amocrm/hook?account=1"
            let first = try await client.registerWebhook(
                destination: destination, settings: ["add_contact", "update_contact", "delete_contact"])
            #expect(first.destination == destination)
            #expect(first.settings == ["add_contact", "update_contact", "delete_contact"])
            #expect(!first.isDisabled)
            #expect(standIn.webhooks.map(\.destination) == [destination])
            #expect(standIn.webhooks.first?.id == first.id)

            let second = try await client.registerWebhook(destination: destination, settings: ["status_lead"])
            #expect(second.id == first.id, "one webhook a destination")
            #expect(second.settings == ["status_lead"])
            #expect(standIn.webhooks.map(\.settings) == [["status_lead"]])
            let posts = standIn.log.filter { $0.path == "/api/v4/webhooks" }
            #expect(posts.map(\.method) == ["POST", "POST"])
            #expect(posts.allSatisfy { $0.bearer == standIn.token && $0.status == 200 })
        }
    }

    @Test func aRegistrationIsRetriedLikeAGetAndRefusedWhenWrong() async throws {
        let standIn = AmoCRMStandIn(SyntheticAccount(seed: 3, contacts: 5))
        try await standIn.run { standIn in
            let client = AmoCRMClientTests.client(standIn)
            standIn.fail([.status(503), .dropMidPage], on: "/api/v4/webhooks")
            let hook = try await client.registerWebhook(destination: "https://a.example/h", settings: ["add_lead"])
            #expect(standIn.log.map(\.status) == [503, -1, 200])
            #expect(standIn.webhooks.map(\.id) == [hook.id])
            let error = await #expect(throws: AmoCRMClientError.self) {
                try await client.registerWebhook(destination: "not a url", settings: ["add_lead"])
            }
            #expect(error?.code == .unexpectedStatus)
            #expect(error?.status == 400)
            #expect(standIn.webhooks.count == 1)
        }
    }
}
