/// A contact or a company, as the index takes it in: the numbers it holds, when it was created, and
/// whether it is in amoCRM's trash. Nothing else: names and responsible users are for
/// notifications, and live beside the index (`EntityNames`, the loader's `EntityDetails`).
///
/// Contacts and companies are one definition and two types, ``Contact`` and ``Company``, so that a
/// contact's id cannot be upserted as a company's by mistake. Links to leads, customers and a
/// company are ``AccountLink`` values, not fields.
public struct PhoneHolder<Kind: PhoneHolderKind>: Hashable, Sendable {
    public var id: Int
    /// Unix time, seconds: of two holders of one number, the older is shown.
    public var createdAt: Int
    /// In amoCRM's trash: never a candidate for a call.
    public var isDeleted: Bool
    public var phones: [PhoneValue]

    public init(id: Int, createdAt: Int = 0, isDeleted: Bool = false, phones: [PhoneValue] = []) {
        self.id = id
        self.createdAt = createdAt
        self.isDeleted = isDeleted
        self.phones = phones
    }

    /// The holder as an entity.
    public var ref: EntityRef { EntityRef(kind: Kind.entityKind, id: id) }
}

/// Which kind of entity a ``PhoneHolder`` is.
public protocol PhoneHolderKind: Sendable {
    static var entityKind: EntityKind { get }
}

/// The kind of ``Contact``.
public enum ContactKind: PhoneHolderKind {
    public static var entityKind: EntityKind { .contact }
}

/// The kind of ``Company``.
public enum CompanyKind: PhoneHolderKind {
    public static var entityKind: EntityKind { .company }
}

/// An amoCRM contact, as the index takes it in.
public typealias Contact = PhoneHolder<ContactKind>
/// An amoCRM company, as the index takes it in.
public typealias Company = PhoneHolder<CompanyKind>
