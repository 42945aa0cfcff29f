/// The kind of service a number belongs to, as libphonenumber's `PhoneNumberType` names it.
///
/// The raw values are libphonenumber's names, which the CLI prints.
public enum PhoneNumberType: String, Sendable, Hashable, CaseIterable {
    case fixedLine = "FIXED_LINE"
    case mobile = "MOBILE"
    /// In regions where fixed-line and mobile numbers cannot be told apart (such as the USA).
    case fixedLineOrMobile = "FIXED_LINE_OR_MOBILE"
    case tollFree = "TOLL_FREE"
    case premiumRate = "PREMIUM_RATE"
    /// The cost of the call is shared between the caller and the recipient.
    case sharedCost = "SHARED_COST"
    case voip = "VOIP"
    /// A number tied to a person rather than a line or a place (UK 070, for example).
    case personalNumber = "PERSONAL_NUMBER"
    case pager = "PAGER"
    /// Universal access numbers: one number that routes to different offices of a company.
    case uan = "UAN"
    case voicemail = "VOICEMAIL"
    /// The number does not match any pattern of its region (it is not valid).
    case unknown = "UNKNOWN"
}
