/// What calling a short number is expected to cost, as libphonenumber's `ShortNumberCost` names it.
///
/// The raw values are libphonenumber's names. Emergency numbers are always ``tollFree``.
public enum ShortNumberCost: String, Sendable, Hashable, CaseIterable {
    case tollFree = "TOLL_FREE"
    case standardRate = "STANDARD_RATE"
    case premiumRate = "PREMIUM_RATE"
    /// The number matches no cost category of the region (it may still be valid).
    case unknownCost = "UNKNOWN_COST"
}
