/// One value of amoCRM's multi-value `PHONE` field, stored as the person typed it.
///
/// A value may hold several numbers, comments and extensions (`"+7 999 888 55 33, жена 8 916 123-45-67"`);
/// the index finds every number in it (see ``PhoneKey/keys(inStoredValue:defaultRegion:)``).
public struct PhoneValue: Hashable, Sendable, CustomStringConvertible {
    /// The `enum_code` of the value: which kind of phone it is.
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let work = Kind(rawValue: "WORK")
        /// A direct work line.
        public static let workDirect = Kind(rawValue: "WORKDD")
        public static let mobile = Kind(rawValue: "MOB")
        public static let fax = Kind(rawValue: "FAX")
        public static let home = Kind(rawValue: "HOME")
        public static let other = Kind(rawValue: "OTHER")

        public var description: String { rawValue }
    }

    /// The text as stored.
    public var value: String
    public var kind: Kind

    public init(_ value: String, kind: Kind = .work) {
        self.value = value
        self.kind = kind
    }

    public var description: String { "\(kind.rawValue): \(value)" }
}
