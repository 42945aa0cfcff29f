import AccountIndex
import AmoCRM

/// How an ``AccountIndex/AccountLink`` is kept in a row: its kind (1 contact–lead, 2 company–lead,
/// 3 contact–customer, 4 company–customer, 5 contact–company) and its two ids, the contact or
/// company first (`a_id`), the other second (`b_id`).
///
/// The table is a set: a pair once, whichever side listed it. The "at most one" links (a contact's
/// company, a lead's company, a customer's company) and a lead's main contact keep one row: the
/// later replaces the earlier, as in an index. So the rows never contradict each other, and their
/// order means nothing.
package struct LinkRow: Hashable, Sendable {
    package var kind: Int
    package var a: Int
    package var b: Int
    package var isMain: Bool

    /// The pair, without `is_main`.
    package struct Pair: Hashable, Sendable {
        package var kind: Int
        package var a: Int
        package var b: Int

        package init(kind: Int, a: Int, b: Int) {
            self.kind = kind
            self.a = a
            self.b = b
        }
    }

    package var pair: Pair { Pair(kind: kind, a: a, b: b) }

    package init(kind: Int, a: Int, b: Int, isMain: Bool) {
        self.kind = kind
        self.a = a
        self.b = b
        self.isMain = isMain
    }

    package init(_ link: AccountLink) {
        switch link {
        case .contactLead(let contact, let lead, let isMain): self.init(kind: 1, a: contact, b: lead, isMain: isMain)
        case .companyLead(let company, let lead): self.init(kind: 2, a: company, b: lead, isMain: false)
        case .contactCustomer(let contact, let customer): self.init(kind: 3, a: contact, b: customer, isMain: false)
        case .companyCustomer(let company, let customer): self.init(kind: 4, a: company, b: customer, isMain: false)
        case .contactCompany(let contact, let company): self.init(kind: 5, a: contact, b: company, isMain: false)
        }
    }

    package var link: AccountLink? {
        switch kind {
        case 1: .contactLead(contactID: a, leadID: b, isMain: isMain)
        case 2: .companyLead(companyID: a, leadID: b)
        case 3: .contactCustomer(contactID: a, customerID: b)
        case 4: .companyCustomer(companyID: a, customerID: b)
        case 5: .contactCompany(contactID: a, companyID: b)
        default: nil
        }
    }

    /// For an "at most one" kind, the end that has at most one such link: `a` for a contact's
    /// company, `b` for a lead's or a customer's company; nil for the many-to-many kinds.
    package static func singleEnd(ofKind kind: Int) -> SingleEnd? {
        switch kind {
        case 5: .a
        case 2, 4: .b
        default: nil
        }
    }

    package enum SingleEnd { case a, b }

    /// The rows of `links` as the table keeps them: each pair once, the later of two "at most one"
    /// links kept, the lead's last main contact its only main one; in the order of `links`.
    package static func normalized(_ links: [AccountLink]) -> [LinkRow] {
        var rows: [LinkRow?] = []
        var position: [Pair: Int] = [:]
        var single: [Pair: Int] = [:]  // (kind, single end's id, 0) -> row position
        var main: [Int: Int] = [:]  // lead -> position of its main contact's row
        for link in links {
            var row = LinkRow(link)
            if let at = position[row.pair], rows[at] != nil {
                // The same pair again: a main flag given on either side stays.
                row.isMain = row.isMain || rows[at]!.isMain
                rows[at] = row
            } else {
                if let end = singleEnd(ofKind: row.kind) {
                    let key = Pair(kind: row.kind, a: end == .a ? row.a : row.b, b: 0)
                    if let old = single[key], let previous = rows[old] {
                        rows[old] = nil
                        position[previous.pair] = nil
                    }
                    single[key] = rows.count
                }
                position[row.pair] = rows.count
                rows.append(row)
            }
            if row.kind == 1 && row.isMain {
                let at = position[row.pair]!
                if let old = main[row.b], old != at { rows[old]?.isMain = false }
                main[row.b] = at
            }
        }
        return rows.compactMap { $0 }
    }

    /// Whether an entity of `kind` is the `a_id` end (the contact or company of the pair) of links
    /// of `linkKind`; false for the `b_id` end, nil when such links do not involve it.
    package static func isAEnd(_ kind: EntityKind, inKind linkKind: Int) -> Bool? {
        switch (kind, linkKind) {
        case (.contact, 1), (.contact, 3), (.contact, 5), (.company, 2), (.company, 4): true
        case (.lead, 1), (.lead, 2), (.customer, 3), (.customer, 4), (.company, 5): false
        default: nil
        }
    }
}
