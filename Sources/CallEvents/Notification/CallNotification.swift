import AccountIndex

/// The entity a notification points at, with its name.
public struct NotificationTarget: Hashable, Sendable, CustomStringConvertible {
    /// The entity shown; nil when the notification offers to create a contact.
    public var entity: EntityRef?
    /// The entity's name as the account has it; nil when unknown or empty, and for create-contact.
    /// (The index keeps no names: they come from ``EntityNames``.)
    public var name: String?

    public init(entity: EntityRef?, name: String?) {
        self.entity = entity
        self.name = name
    }

    /// amoCRM's `element_type`: 1 contact, 2 lead, 3 company, 12 customer; nil for create-contact.
    public var elementType: Int? { entity?.kind.elementType }
    /// amoCRM's `element_id`; nil for create-contact.
    public var elementID: Int? { entity?.id }

    /// `lead 1234565 "Website order"`, or `none`.
    public var description: String {
        guard let entity else { return "none" }
        return name.map { "\(entity) \"\($0)\"" } ?? entity.description
    }
}

/// One call notification: what the users of the account see when a call comes in.
///
/// Made by ``CallEventsService`` for each event of a valid batch, and handed to a
/// ``NotificationSink``, which delivers it to each of ``users``.
///
/// ```swift
/// notification.uid          // 0e3455ff-67aa-4779-bebe-66ddc038a4ee
/// notification.phoneNumber  // "8 (999) 888-55-33", as given
/// notification.e164         // "+79998885533"
/// notification.displayNumber // "8 (999) 888-55-33", for the agent
/// notification.action       // .openLead
/// notification.target       // lead 1234565 "Website order"
/// notification.users        // [88888, 99999]
/// ```
///
/// A withheld caller id (`"Unknown"`, `"anonymous"`, `""`: text with no number in it) still makes
/// a notification: ``e164`` is nil, the action is create-contact, and ``displayNumber`` is the
/// text as given, so the agent sees what the PBX sent.
public struct CallNotification: Hashable, Sendable, CustomStringConvertible {
    /// The notification's id, also in the API's answer.
    public let uid: EventUID
    /// The caller's number as the request gave it.
    public let phoneNumber: String
    /// The caller's number in E.164; nil when no number can be read from ``phoneNumber`` (a
    /// withheld caller id such as `"anonymous"`), and then the action is create-contact.
    public let e164: String?
    /// What to show and why: the one source of ``target`` and ``action``.
    public let decision: CallTargetDecision
    /// The shown entity's name as the account has it; nil when unknown or empty, and for
    /// create-contact. (The index keeps no names: they come from ``EntityNames``.)
    public let entityName: String?
    /// The users to notify, in request order (or the account's users in ascending order).
    public let users: [Int]
    /// When the notification was made.
    public let time: NotificationTime
    /// The event's position in its request.
    public let eventIndex: Int
    /// The caller's number as an agent reads it: national in the account's country
    /// (`8 (999) 888-55-33`), international otherwise (``PhoneNumbers/PhoneNumber/displayed(inAccountRegion:)``);
    /// ``phoneNumber`` as given when no number can be read from it (`anonymous`, or empty).
    public let displayNumber: String
    /// Where an unknown caller's number is from, for the offer to create a contact; nil when the
    /// caller is known or nothing describes numbers (``CallEventsConfiguration/describeCaller``).
    public let caller: CallerDescription?
    /// What the agent's card shows besides the decision: the lead's stage and price, the contact
    /// and company, the responsible user, the other candidates, the links into amoCRM.
    public let card: CallCard

    public init(
        uid: EventUID, phoneNumber: String, e164: String?, decision: CallTargetDecision, entityName: String?,
        users: [Int], time: NotificationTime, eventIndex: Int, displayNumber: String? = nil,
        caller: CallerDescription? = nil, card: CallCard = CallCard()
    ) {
        self.displayNumber = displayNumber ?? e164 ?? phoneNumber
        self.caller = caller
        self.card = card
        self.uid = uid
        self.phoneNumber = phoneNumber
        self.e164 = e164
        self.decision = decision
        self.entityName = entityName
        self.users = users
        self.time = time
        self.eventIndex = eventIndex
    }

    /// The entity shown, with its name.
    public var target: NotificationTarget { NotificationTarget(entity: decision.target.entity, name: entityName) }
    /// What the user is asked to do: open the lead, customer or card, or create a contact.
    public var action: CallAction { decision.target.action }
    /// Why, in words: the same sentence `screenpop resolve` gives.
    public var reason: String { decision.explanation(callerE164: e164) }

    /// The API's answer item for this notification.
    public var responseItem: CallEventsResponse.Item {
        CallEventsResponse.Item(
            elementID: target.elementID, elementType: target.elementType, uid: uid, phoneNumber: phoneNumber)
    }

    /// `0e3455ff-…: +79998885533 → open_lead lead 1234565 "Website order" for [88888]`;
    /// `0e3455ff-…: "anonymous" → create_contact none for [88888]` when no number can be read.
    public var description: String {
        "\(uid): \(e164 ?? quoted(phoneNumber)) → \(action) \(target) for \(users)"
    }
}

/// Where notifications go: implemented by the embedding code (a server's live streams, a push
/// service, a message queue).
///
/// ``CallEventsService`` calls ``deliver(_:)`` once per request, with the notifications of the
/// whole batch in request order, only after the whole batch was validated. A sink that cannot
/// deliver must handle that itself (retry, log): the API has already answered for them.
public protocol NotificationSink: Sendable {
    /// Delivers each notification to each of its ``CallNotification/users``.
    func deliver(_ notifications: [CallNotification]) async
}
