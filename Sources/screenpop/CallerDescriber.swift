import CallEvents
import PhoneNumberCarriers
import PhoneNumberGeocoding
import PhoneNumberTimeZones
import PhoneNumbers

/// What `screenpop serve` tells agents about an unknown caller (``CallEvents/CallerDescription``):
/// the geocoder's place and the range's carrier in the account's language, and the time zones.
enum CallerDescriber {
    /// The place, carrier and time zones of `number`, in `language`.
    static func describe(language: String) -> @Sendable (PhoneNumber) -> CallerDescription? {
        { number in
            let zones = PhoneNumberTimeZones.timeZones(for: number).filter { $0 != PhoneNumberTimeZones.unknown }
            return CallerDescription(
                location: PhoneNumberGeocoder.description(for: number, language: language),
                carrier: PhoneNumberCarrier.name(for: number, language: language), timeZones: zones)
        }
    }

    /// Russian for accounts in the countries where amoCRM's Russian-speaking users are, else English.
    static func language(forAccountRegion region: String?) -> String {
        switch region?.uppercased() {
        case "RU", "BY", "KZ", "KG": "ru"
        default: "en"
        }
    }
}
