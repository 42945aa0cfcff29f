import AccountIndex

/// The names of an account's entities, for notifications: the index keeps no names.
///
/// ```swift
/// let names = EntityNames(data)          // from the AccountData the index was built from
/// names[.lead(1234565)]                  // "Website order"
/// ```
///
/// Empty names are not kept (a notification then carries no name). The names are a copy made when
/// the service is configured; an embedding that applies changes to its index and wants new names
/// shown builds a new configuration.
public struct EntityNames: Hashable, Sendable {
    var names: [EntityRef: String]

    /// No names.
    public init() {
        names = [:]
    }

    /// The names of the contacts, companies, leads and customers of `data`; a later entity with
    /// the same id replaces the earlier (as in the index).
    ///
    /// - Complexity: O(n) in the entities.
    public init(_ data: AccountData) {
        names = [:]
        names.reserveCapacity(data.contacts.count + data.companies.count + data.leads.count + data.customers.count)
        for contact in data.contacts { set(contact.name, for: .contact(contact.id)) }
        for company in data.companies { set(company.name, for: .company(company.id)) }
        for lead in data.leads { set(lead.name, for: .lead(lead.id)) }
        for customer in data.customers { set(customer.name, for: .customer(customer.id)) }
    }

    /// The entity's name, nil when unknown or empty.
    public subscript(entity: EntityRef) -> String? {
        get { names[entity] }
        set { set(newValue ?? "", for: entity) }
    }

    public var count: Int { names.count }

    private mutating func set(_ name: String, for entity: EntityRef) {
        if name.isEmpty {
            names[entity] = nil
        } else {
            names[entity] = name
        }
    }
}
