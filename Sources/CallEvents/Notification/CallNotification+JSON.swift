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
    public func json() -> [UInt8] {
        var writer = JSONWriter(capacity: 448)
        writer.beginObject()
        writer.key("uid")
        writer.string(uid.description)
        writer.key("phone_number")
        writer.string(phoneNumber)
        writer.key("e164")
        writer.string(e164)
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
        writer.endObject()
        return writer.bytes
    }
}
