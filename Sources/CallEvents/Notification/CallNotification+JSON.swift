import ScreenPopJSON

extension CallNotification {
    /// The notification as one compact JSON object: what a live stream sends to a user.
    ///
    /// ```json
    /// {"uid":"0e3455ff-67aa-4779-bebe-66ddc038a4ee","phone_number":"8 (999) 888-55-33","e164":"+79998885533",
    ///  "action":"open_lead","target":{"element_type":2,"element_id":1234565,"name":"Website order"},
    ///  "reason":"One active lead: contact 1 has 1 active lead and 0 open customers.","rule":"single_active_lead",
    ///  "match":"exact","match_digits":null,"users":[88888],"time":"2025-11-25T00:00:00.123Z","event_index":0,
    ///  "display_number":"8 (999) 888-55-33","caller":null}
    /// ```
    ///
    /// `caller` is set for `create_contact` when the server describes numbers:
    /// `{"location":"Москва","carrier":null,"time_zones":["Europe/Moscow"]}`.
    ///
    /// `action`, `reason`, `rule`, `match` and `match_digits` are spelt as `screenpop resolve`
    /// spells them: the names come from ``AccountIndex/CallAction``, ``AccountIndex/MatchLevel``
    /// and ``AccountIndex/CallTargetDecision``.
    ///
    /// `target`'s members are `null` for `create_contact` (and `name` when the account has none).
    ///
    /// Then the card (``CallCard``), each member `null` when not known:
    /// `"link"` (the chosen entity's page in amoCRM, or its new-contact page with the number),
    /// `"lead":{"id","name","price","pipeline_id","pipeline","status_id","status","link"}`,
    /// `"customer"`, `"contact"` and `"company"` (`{"id","name","link"}`),
    /// `"responsible_user":{"id","name"}` and
    /// `"candidates":[{"element_type","element_id","name","number","link"}]` (the other entities
    /// that hold a matching number; empty when none).
    public func json() -> [UInt8] {
        var writer = JSONWriter(capacity: 640)
        writer.beginObject()
        writer.key("uid")
        writer.string(uid.description)
        writer.key("phone_number")
        writer.string(phoneNumber)
        writer.key("e164")
        writer.string(orNull: e164)
        writer.key("action")
        writer.string(action.rawValue)
        writer.key("target")
        writer.beginObject()
        writer.key("element_type")
        writer.integer(orNull: target.elementType)
        writer.key("element_id")
        writer.integer(orNull: target.elementID)
        writer.key("name")
        writer.string(orNull: target.name)
        writer.endObject()
        writer.key("reason")
        writer.string(reason)
        writer.key("rule")
        writer.string(decision.reason.rule.name)
        writer.key("match")
        writer.string(decision.matchLevel.name)
        writer.key("match_digits")
        writer.integer(orNull: decision.matchLevel.suffixDigits)
        writer.key("users")
        writer.beginArray()
        for user in users { writer.integer(user) }
        writer.endArray()
        writer.key("time")
        writer.string(time.description)
        writer.key("event_index")
        writer.integer(eventIndex)
        writer.key("display_number")
        writer.string(displayNumber)
        writer.key("caller")
        if let caller {
            writer.beginObject()
            writer.key("location")
            writer.string(orNull: caller.location)
            writer.key("carrier")
            writer.string(orNull: caller.carrier)
            writer.key("time_zones")
            writer.beginArray()
            for zone in caller.timeZones { writer.string(zone) }
            writer.endArray()
            writer.endObject()
        } else {
            writer.null()
        }
        card.write(into: &writer)
        writer.endObject()
        return writer.bytes
    }
}

extension CallCard {
    /// The card's members, inside the notification's object.
    func write(into writer: inout JSONWriter) {
        writer.key("link")
        writer.string(orNull: link)
        writer.key("lead")
        if let lead {
            writer.beginObject()
            writer.key("id")
            writer.integer(lead.id)
            writer.key("name")
            writer.string(orNull: lead.name)
            writer.key("price")
            writer.integer(orNull: lead.price)
            writer.key("pipeline_id")
            writer.integer(orNull: lead.pipelineID)
            writer.key("pipeline")
            writer.string(orNull: lead.pipeline)
            writer.key("status_id")
            writer.integer(orNull: lead.statusID)
            writer.key("status")
            writer.string(orNull: lead.status)
            writer.key("link")
            writer.string(orNull: lead.link)
            writer.endObject()
        } else {
            writer.null()
        }
        for (key, entity) in [("customer", customer), ("contact", contact), ("company", company)] {
            writer.key(key)
            if let entity {
                writer.beginObject()
                writer.key("id")
                writer.integer(entity.id)
                writer.key("name")
                writer.string(orNull: entity.name)
                writer.key("link")
                writer.string(orNull: entity.link)
                writer.endObject()
            } else {
                writer.null()
            }
        }
        writer.key("responsible_user")
        if let responsibleUser {
            writer.beginObject()
            writer.key("id")
            writer.integer(responsibleUser.id)
            writer.key("name")
            writer.string(orNull: responsibleUser.name)
            writer.endObject()
        } else {
            writer.null()
        }
        writer.key("candidates")
        writer.beginArray()
        for candidate in candidates {
            writer.beginObject()
            writer.key("element_type")
            writer.integer(candidate.entity.kind.elementType)
            writer.key("element_id")
            writer.integer(candidate.entity.id)
            writer.key("name")
            writer.string(orNull: candidate.name)
            writer.key("number")
            writer.string(candidate.number)
            writer.key("link")
            writer.string(orNull: candidate.link)
            writer.endObject()
        }
        writer.endArray()
    }
}
