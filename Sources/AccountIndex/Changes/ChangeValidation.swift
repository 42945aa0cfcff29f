/// The checks a change must pass before it is applied, written once for the index's two writers:
/// ``ChangeBatch/apply(_:at:)``, which fails the batch on the first change that does not pass, and
/// ``BulkBuilder``, which skips it and lists it in ``AccountIndex/BuildReport``. A new check
/// belongs here, so that both writers make it.
///
/// Each check throws the error that names the change: `index`, its position, and `change`, which
/// is only made when the check fails (the bulk build checks millions of entities).
enum ChangeValidation {
    /// An id must not be negative (amoCRM's are positive).
    @inline(__always)
    static func checkID(
        _ entity: EntityRef, at index: Int, in change: @autoclosure () -> AccountChange
    ) throws(AccountChangeError) {
        if entity.id < 0 { throw .invalidID(entity, at: index, in: change()) }
    }

    /// An upsert of `entity`, which creates it or replaces its own fields.
    @inline(__always)
    static func checkUpsert(
        of entity: EntityRef, at index: Int, in change: @autoclosure () -> AccountChange
    ) throws(AccountChangeError) {
        try checkID(entity, at: index, in: change())
    }

    /// A change that needs `entity` to exist (a delete, a status change): its id, then the entity.
    ///
    /// - Parameter find: What the writer needs of an entity (its state, or nothing), nil when it
    ///   does not exist.
    /// - Returns: What `find` found.
    @inline(__always)
    static func need<Found>(
        _ entity: EntityRef, at index: Int, in change: @autoclosure () -> AccountChange,
        find: (EntityRef) -> Found?
    ) throws(AccountChangeError) -> Found {
        try checkID(entity, at: index, in: change())
        guard let found = find(entity) else { throw .unknown(entity, at: index, in: change()) }
        return found
    }

    /// A link or an unlink: both ids first, then both ends, the contact or company first.
    ///
    /// - Parameter find: What the writer needs of an entity (a dense index, or nothing), nil when
    ///   it does not exist.
    /// - Returns: What `find` found for each end, the contact or company first.
    @inline(__always)
    static func checkLink<Found>(
        _ link: AccountLink, at index: Int, in change: @autoclosure () -> AccountChange,
        find: (EntityRef) -> Found?
    ) throws(AccountChangeError) -> (Found, Found) {
        let (a, b) = link.ends
        try checkID(a, at: index, in: change())
        try checkID(b, at: index, in: change())
        guard let foundA = find(a) else { throw .unknown(a, at: index, in: change()) }
        guard let foundB = find(b) else { throw .unknown(b, at: index, in: change()) }
        return (foundA, foundB)
    }
}
