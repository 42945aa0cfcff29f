import PhoneNumbers

/// Where an unknown caller's number is from, for the offer to create a contact: what the
/// geocoder, the carrier table and the time-zone table say about it (the `PhoneNumberGeocoding`
/// products). CallEvents does not carry those tables itself; the embedding code passes a
/// ``CallEventsConfiguration/describeCaller`` that asks them.
public struct CallerDescription: Hashable, Sendable {
    /// The place the number's range belongs to, in the account's language ("Москва"); nil when unknown.
    public var location: String?
    /// The carrier that was given the number's range (numbers are portable: the caller may have
    /// moved since); nil when unknown or not a mobile number.
    public var carrier: String?
    /// IANA time zones of the range (`["Europe/Moscow"]`); empty when unknown.
    public var timeZones: [String]

    public init(location: String?, carrier: String?, timeZones: [String]) {
        self.location = location
        self.carrier = carrier
        self.timeZones = timeZones
    }
}

extension PhoneNumber {
    /// The number as an agent in `accountRegion` reads it: the national format when the number
    /// has the account's calling code (`8 (999) 888-55-33` in a Russian account, also for
    /// Kazakh numbers, which are dialled the same way), else the international format
    /// (`+49 30 123456`).
    public func displayed(inAccountRegion accountRegion: String) -> String {
        if let callingCode = PhoneNumber.callingCode(ofRegion: accountRegion), callingCode == countryCode {
            return formatted(.national)
        }
        return formatted(.international)
    }
}
