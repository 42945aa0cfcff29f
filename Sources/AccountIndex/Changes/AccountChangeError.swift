/// Why a batch of changes was not applied: which change, and what is wrong with it.
///
/// A failed ``AccountIndex/apply(_:)`` leaves the index as it was; the error names the first change
/// that cannot be applied (its position in the batch), after the changes before it.
///
/// ```swift
/// do { try index.apply([.link(.contactLead(contactID: 1, leadID: 99))]) }
/// catch { print(error) }   // change 0 (link contact 1 – lead 99): unknown lead 99
/// ```
public struct AccountChangeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// Every code, so that a new one must be named where codes are printed.
        @usableFromInline
        enum BackingCode: Hashable, Sendable, CaseIterable {
            case unknownEntity, invalidID
        }

        @usableFromInline
        let backingCode: BackingCode

        @inlinable
        init(_ backingCode: BackingCode) { self.backingCode = backingCode }

        /// The change names an entity that does not exist (``AccountChangeError/entity``).
        public static let unknownEntity = Code(.unknownEntity)
        /// An id is negative; amoCRM ids are positive (``AccountChangeError/entity``).
        public static let invalidID = Code(.invalidID)

        /// The code's name: `unknown_entity` or `invalid_id`.
        public var description: String {
            switch backingCode {
            case .unknownEntity: "unknown_entity"
            case .invalidID: "invalid_id"
            }
        }

        /// The code before the entity in a message: `unknown lead 99`.
        var phrase: String {
            switch backingCode {
            case .unknownEntity: "unknown"
            case .invalidID: "invalid id"
            }
        }
    }

    public let code: Code
    /// The position of the failing change in the batch.
    public let changeIndex: Int
    /// The failing change.
    public let change: AccountChange
    /// The entity the change names that is wrong.
    public let entity: EntityRef?

    @inlinable
    init(code: Code, changeIndex: Int, change: AccountChange, entity: EntityRef?) {
        self.code = code
        self.changeIndex = changeIndex
        self.change = change
        self.entity = entity
    }

    @inline(never)
    static func unknown(_ entity: EntityRef, at index: Int, in change: AccountChange) -> AccountChangeError {
        AccountChangeError(code: .unknownEntity, changeIndex: index, change: change, entity: entity)
    }

    @inline(never)
    static func invalidID(_ entity: EntityRef, at index: Int, in change: AccountChange) -> AccountChangeError {
        AccountChangeError(code: .invalidID, changeIndex: index, change: change, entity: entity)
    }

    public var description: String {
        let what = entity.map { "\(code.phrase) \($0)" } ?? code.phrase
        return "change \(changeIndex) (\(change)): \(what)"
    }
}
