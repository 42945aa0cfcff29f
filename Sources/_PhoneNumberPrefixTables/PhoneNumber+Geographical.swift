import PhoneNumbers

extension PhoneNumberType {
    /// Whether numbers of this type belong to a place (libphonenumber's `isNumberTypeGeographical`):
    /// fixed lines everywhere, mobiles only in the few countries whose mobile numbers carry an area
    /// code (`geoMobileCountries`). Other types get the country's name and time zones.
    package func isGeographical(countryCode: Int) -> Bool {
        switch self {
        case .fixedLine, .fixedLineOrMobile: return true
        case .mobile: return geoMobileCountries.contains(countryCode)
        default: return false
        }
    }
}
