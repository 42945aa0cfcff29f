import PhoneNumbers

/// The default regions a phone target picks from with one byte: the ones a caller may pass that are
/// not regions (nil, "ZZ", "001", lower case, unknown, empty), then every region of the metadata in
/// alphabetical order (Fuzz/make-seeds.py writes seeds with the same table).
public let fuzzRegions: [String?] = {
    var regions = Set<String>()
    for callingCode in 1...999 {
        for region in PhoneNumber.regions(ofCallingCode: callingCode) where region != "001" {
            regions.insert(region)
        }
    }
    return [nil, "ZZ", "001", "ru", "XX", ""] + regions.sorted()
}()

/// The region picked by `byte`.
public func fuzzRegion(_ byte: UInt8) -> String? {
    fuzzRegions[Int(byte) % fuzzRegions.count]
}

/// Whether two numbers are the same number, extension aside: calling code, national significant
/// number, and so the count of its leading zeros.
public func sameNumber(_ a: PhoneNumber, _ b: PhoneNumber) -> Bool {
    a.countryCode == b.countryCode && a.nationalSignificantNumber == b.nationalSignificantNumber
}

/// Whether `again`, `number` written internationally and parsed again, is the number that
/// libphonenumber's own parse gives back: the same number, or the same calling code with a shorter
/// national number. libphonenumber takes a national prefix or carrier code off an international
/// number too when what remains is still possible for the region, so a national number that starts
/// with one loses it on the way back: "0007070036" for IM is +440007070036, which parses as
/// +44007070036, and the JP number +8100376809012345678 (valid) as +819012345678 (PyPI phonenumbers
/// 9.0.43 does both).
public func sameOrPrefixTakenOff(_ number: PhoneNumber, _ again: PhoneNumber) -> Bool {
    if sameNumber(number, again) { return true }
    return number.countryCode == again.countryCode
        && again.nationalSignificantNumber.utf8.count < number.nationalSignificantNumber.utf8.count
}
