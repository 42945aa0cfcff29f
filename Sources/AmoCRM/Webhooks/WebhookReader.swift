import AccountIndex
import ScreenPopSupport

/// A top-level name of a webhook body that holds entities.
enum WebhookSection: UInt8, Hashable, Sendable {
    case contacts, companies, leads, customers

    init?(name: Substring) {
        switch name {
        case "contacts": self = .contacts
        case "companies": self = .companies
        case "leads": self = .leads
        case "customers": self = .customers
        default: return nil
        }
    }

    var name: String {
        switch self {
        case .contacts: "contacts"
        case .companies: "companies"
        case .leads: "leads"
        case .customers: "customers"
        }
    }

    /// Whether the section's entities are contacts or companies (`custom_fields` phones,
    /// `linked_leads_id`, and `type` to tell the two apart).
    var holdsParties: Bool { self == .contacts || self == .companies }
}

/// What happened to the elements under `<section>[<action>]`.
enum WebhookAction: UInt8, Hashable, Sendable {
    case add, update, delete, restore, status, responsible

    /// The action, or nil for actions that are not read (`note`, and `status` outside `leads`).
    init?(_ text: String, in section: WebhookSection) {
        switch text {
        case "add": self = .add
        case "update": self = .update
        case "delete": self = .delete
        case "restore": self = .restore
        case "status" where section == .leads: self = .status
        case "responsible": self = .responsible
        default: return nil
        }
    }

    var name: String {
        switch self {
        case .add: "add"
        case .update: "update"
        case .delete: "delete"
        case .restore: "restore"
        case .status: "status"
        case .responsible: "responsible"
        }
    }
}

/// Reads a webhook body pair by pair into ``WebhookElement``s, then turns them into updates.
///
/// Linear in the body: each pair is decoded once and finds its element, its custom field and its
/// value through hash tables; nothing is searched or copied per pair.
struct WebhookReader {
    struct ElementKey: Hashable {
        var section: WebhookSection
        var action: WebhookAction
        var index: Int
    }

    let body: [UInt8]
    var accountID: Int?
    var subdomain: String?
    /// The elements in the order of their first key.
    private(set) var elements: [WebhookElement] = []
    private var slots: [ElementKey: Int] = [:]

    init(body: [UInt8]) {
        self.body = body
    }

    /// Reads every pair of the body.
    mutating func read() throws(AmoCRMWebhookError) {
        let body = self.body
        try FormURLEncoded.forEachPair(in: body) { (pair) throws(AmoCRMWebhookError) in
            let key = try Self.decode(body[pair.key], key: nil)
            let value = try Self.decode(body[pair.value], key: key)
            try take(key: key, value: value, offset: pair.key.lowerBound)
        }
    }

    /// The updates of the elements in order, and the entities to re-read, each once.
    func finished() throws(AmoCRMWebhookError) -> (updates: [EntityUpdate], reRead: [EntityRef]) {
        var updates: [EntityUpdate] = []
        updates.reserveCapacity(elements.count)
        var reRead: [EntityRef] = []
        var listed: Set<EntityRef> = []
        for element in elements {
            let update = try element.update()
            updates.append(update)
            if element.action == .restore || !AmoCRMWebhook.missingState(of: update).isEmpty,
                listed.insert(update.entity).inserted
            {
                reRead.append(update.entity)
            }
        }
        return (updates, reRead)
    }

    /// Applies one `key=value`.
    private mutating func take(key: String, value: String, offset: Int) throws(AmoCRMWebhookError) {
        let name = FormURLEncoded.name(ofKey: key)
        let section = WebhookSection(name: name)
        guard section != nil || name == "account" else { return }
        guard let parts = FormURLEncoded.splitKey(key)?.parts else { throw .at(key, offset: offset, .malformedKey) }
        guard let section else {
            // account[id], account[subdomain]; other account keys (`_links`) are not read.
            guard parts.count == 1 else { return }
            if parts[0] == "id" {
                accountID = value.isEmpty ? nil : try WebhookValue.positiveID(value, key: key, offset: offset)
            } else if parts[0] == "subdomain" {
                subdomain = value
            }
            return
        }
        guard let actionText = parts.first else {
            throw .at(key, offset: offset, .notAnElementField(section: section.name))
        }
        guard let action = WebhookAction(actionText, in: section) else { return }
        guard parts.count >= 3 else { throw .at(key, offset: offset, .notAnElementField(section: section.name)) }
        guard let index = Self.elementIndex(parts[1]) else { throw .at(key, offset: offset, .badElementIndex) }
        let elementKey = ElementKey(section: section, action: action, index: index)
        let slot: Int
        if let existing = slots[elementKey] {
            slot = existing
        } else {
            guard elements.count < AmoCRMWebhook.maxElements else {
                throw .at(key, offset: offset, .tooManyElements(AmoCRMWebhook.maxElements))
            }
            slot = elements.count
            slots[elementKey] = slot
            elements.append(WebhookElement(section: section, action: action, index: index, offset: offset))
        }
        try elements[slot].take(parts[2...], value: value, key: key, offset: offset)
    }

    /// An element index: 1 to 9 decimal digits.
    private static func elementIndex(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 9 else { return nil }
        var value = 0
        for byte in text.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte &- UInt8(ascii: "0"))
        }
        return value
    }

    /// Percent-decodes a key (`key` nil) or the value of `key`.
    private static func decode(_ bytes: ArraySlice<UInt8>, key: String?) throws(AmoCRMWebhookError) -> String {
        do {
            return try FormURLEncoded.decode(bytes)
        } catch {
            switch error {
            case .badEscape(let offset): throw AmoCRMWebhookError(.badEscape(offset: offset), key: key, offset: offset)
            case .notUTF8(let offset): throw AmoCRMWebhookError(.notUTF8, key: key, offset: offset)
            }
        }
    }
}

/// Reading the integers of a webhook: decimal digits, a `-` allowed so that negative numbers are
/// named as such; no `+`, spaces or fractions.
enum WebhookValue {
    /// The integer, or nil for the empty value.
    static func integer(_ text: String, key: String, offset: Int) throws(AmoCRMWebhookError) -> Int? {
        if text.isEmpty { return nil }
        var digits = text.utf8[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw .at(key, offset: offset, .notAnInteger(text))
        }
        var value = 0
        for byte in digits {
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = shifted.addingReportingOverflow(Int(byte &- UInt8(ascii: "0")))
            guard !overflow, !carry else { throw .at(key, offset: offset, .outOfRange(text)) }
            value = sum
        }
        return negative ? -value : value
    }

    /// A count, a time or an id that may be 0: nil for the empty value.
    static func nonNegative(_ text: String, key: String, offset: Int) throws(AmoCRMWebhookError) -> Int? {
        guard let value = try integer(text, key: key, offset: offset) else { return nil }
        guard value >= 0 else { throw .at(key, offset: offset, .negative(text)) }
        return value
    }

    /// An entity's id: a positive integer, required.
    static func positiveID(_ text: String, key: String, offset: Int) throws(AmoCRMWebhookError) -> Int {
        guard let value = try integer(text, key: key, offset: offset), value > 0 else {
            throw .at(key, offset: offset, .notAPositiveID(text))
        }
        return value
    }
}
