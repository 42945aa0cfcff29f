import PhoneNumbers

extension CallTargetDecision {
    /// Which rule fired, with its counts, as one sentence for people: the `reason` of every
    /// surface.
    ///
    /// `One active lead: contact 1 has 1 active lead and 0 open customers.`
    ///
    /// - Parameters:
    ///   - callerE164: The caller's number in E.164, named when nobody has it.
    ///   - readError: Why no number could be read, named when none could.
    public func explanation(callerE164: String?, readError: CallerID.Error? = nil) -> String {
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        let rule = reason.rule.description
        var text = rule.prefix(1).uppercased() + rule.dropFirst()
        switch reason.rule {
        case .unreadableNumber:
            let code = readError.map { " (\($0.code))" } ?? ""
            return text + ": no phone number could be read from the text\(code); create a contact."
        case .noMatch:
            text += ": no contact or company has \(callerE164 ?? "the number"); create a contact."
            if suffixFallbackSkipped == .shortNumber {
                text += " It is a short number (a service or emergency code), so no match on its last digits was tried."
            }
            return text
        default:
            break
        }
        guard let chosen else { return text + "." }
        text += ": \(chosen.entity) has \(count(reason.activeLeads, "active lead")) and "
        text += reason.customersDisabled ? "customers are off" : count(reason.countedCustomers, "open customer")
        if !otherCandidates.isEmpty {
            text += "; chosen over \(count(otherCandidates.count, "other candidate")) (contacts first, then the oldest)"
        }
        if let digits = matchLevel.suffixDigits {
            text += "; matched on the last \(digits) digits only"
        }
        return text + "."
    }
}

extension Resolution {
    /// The decision's ``CallTargetDecision/explanation(callerE164:readError:)`` for this call.
    public var explanation: String { decision.explanation(callerE164: e164, readError: readError) }
}
