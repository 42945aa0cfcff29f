import PhoneNumbers

/// The answer for one call: the caller's number as read, and the decision.
///
/// ```swift
/// let resolution = index.resolve(callerNumber: "sip:89998885533@pbx")
/// resolution.e164                 // "+79998885533"
/// resolution.decision.target      // .lead(id: 10)
/// resolution.decision.matchLevel  // .exact
/// ```
public struct Resolution: Hashable, Sendable, CustomStringConvertible {
    /// The caller's number, nil when none could be read from the text.
    public let callerNumber: PhoneNumber?
    /// How the number was read from the caller's text; nil when resolving a ``PhoneNumber`` or when
    /// no number could be read.
    public let reading: CallerID.Reading?
    /// Why no number could be read, when none could.
    public let readError: CallerID.Error?
    /// What to show and why.
    public let decision: CallTargetDecision

    /// The caller's number in E.164, nil when unreadable.
    public var e164: String? { callerNumber?.e164 }
    public var target: CallTargetDecision.Target { decision.target }
    public var matchLevel: MatchLevel { decision.matchLevel }
    /// The contact or company whose links decided.
    public var chosen: Candidate? { decision.chosen }
    /// Every contact and company with the number, the chosen one first.
    public var candidates: [Candidate] { decision.candidates }
    /// Why the last-digits fallback was held back (a short caller number), nil when it was not.
    public var suffixFallbackSkipped: SuffixFallback.SkipReason? { decision.suffixFallbackSkipped }

    public var description: String { "\(e164 ?? "unreadable"): \(decision)" }
}
