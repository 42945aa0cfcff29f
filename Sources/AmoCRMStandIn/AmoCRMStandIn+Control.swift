import AccountIndex
import AmoCRM
import HTTPTypes
import Hummingbird
import ScreenPopJSON

/// Changes of the account over HTTP, for a client in another process (the soak and crash scripts
/// of `Benchmarks/soak/`) that changes amoCRM's side and then posts the matching webhook, so that
/// webhooks and syncs tell one story. Not amoCRM's API: served only when asked (`serve(control:)`,
/// `amocrm-standin --control`), with the long-lived token.
///
/// - `POST /standin/contact?id=N&name=TEXT&phone=P&phone=Q`: the contact's name and phones (mobile)
///   become these; its links and `created_at` stay. A new id adds a contact.
/// - `POST /standin/lead?id=N&status_id=S[&price=P]`: the lead's status (and price) become these;
///   404 when there is no such lead.
///
/// Both answer `{"id":N,"updated_at":T}` (and a lead's `pipeline_id`): `T` is what a webhook of the
/// change says in `last_modified`, so that the store sees the webhook and the next poll as one change.
extension AmoCRMStandIn {
    func registerControlRoutes(on router: Router<BasicRequestContext>) {
        router.post("standin/contact") { [self] request, _ in controlAnswer(request) { changeContact($0) } }
        router.post("standin/lead") { [self] request, _ in controlAnswer(request) { changeLead($0) } }
    }

    private func controlAnswer(_ request: Request, _ body: (StandInQuery) -> Answer) -> Response {
        guard request.headers[.authorization] == "Bearer " + token else {
            return Self.response(
                .unauthorized, Self.problem(title: "Unauthorized", status: 401, detail: "Unauthorized"),
                type: "application/problem+json")
        }
        let answer = body(StandInQuery(request.uri.query ?? ""))
        return Self.response(answer.status, answer.body, type: answer.type)
    }

    private func changeContact(_ query: StandInQuery) -> Answer {
        guard let id = query.value("id").flatMap(Int.init), id > 0 else {
            return Self.badRequest("id must be a positive integer")
        }
        let name = query.value("name")
        let phones = query.items.filter { $0.key == "phone" }.map { PhoneValue($0.value, kind: .mobile) }
        let updatedAt = change { account, instant in
            let createdAt = account.details(of: .contact(id))?.createdAt ?? instant
            account.upsertContact(Contact(id: id, createdAt: createdAt, phones: phones), name: name, at: instant)
            return instant
        }
        return Self.changeAnswer(id: id, updatedAt: updatedAt, pipelineID: nil)
    }

    private func changeLead(_ query: StandInQuery) -> Answer {
        guard let id = query.value("id").flatMap(Int.init), let status = query.value("status_id").flatMap(Int.init)
        else {
            return Self.badRequest("id and status_id must be integers")
        }
        let price = query.value("price").flatMap(Int.init)
        let changed: (updatedAt: Int, pipelineID: Int?)? = change { account, instant in
            guard account.setLeadStatus(id, to: status, at: instant) else { return nil }
            if let price, let i = account.index(of: .lead(id)) { account.details.leads[i].price = price }
            return (instant, account.details(of: .lead(id))?.pipelineID)
        }
        guard let changed else {
            return Answer(
                status: .notFound, body: Self.problem(title: "Not Found", status: 404, detail: "no lead \(id)"),
                type: "application/problem+json")
        }
        return Self.changeAnswer(id: id, updatedAt: changed.updatedAt, pipelineID: changed.pipelineID)
    }

    private static func changeAnswer(id: Int, updatedAt: Int, pipelineID: Int?) -> Answer {
        var w = JSONWriter()
        w.beginObject()
        w.key("id")
        w.integer(id)
        w.key("updated_at")
        w.integer(updatedAt)
        if let pipelineID {
            w.key("pipeline_id")
            w.integer(pipelineID)
        }
        w.endObject()
        return Answer(status: .ok, body: w.bytes, type: "application/json")
    }
}
