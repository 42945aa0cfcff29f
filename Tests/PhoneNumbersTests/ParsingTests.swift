import Testing

@testable import PhoneNumbers

/// One behaviour of libphonenumber's parser per test; expected values come from the reference
/// (PyPI phonenumbers at the pinned version, scripts/phonenumbers.version).
@Suite struct ParsingTests {
    struct Expectation: CustomTestStringConvertible, Sendable {
        let input: String
        let region: String
        let e164: String
        var ext: String? = nil
        var testDescription: String { "\(region) \(input)" }
    }

    static func check(_ e: Expectation) throws {
        let number = try PhoneNumber(parsing: e.input, defaultRegion: e.region)
        #expect(number.e164 == e.e164)
        #expect(number.extension == e.ext)
    }

    static func failure(_ input: String, _ region: String?) -> PhoneNumberParseError.Code? {
        do {
            _ = try PhoneNumber(parsing: input, defaultRegion: region)
            return nil
        } catch {
            return error.code
        }
    }

    @Test(arguments: [
        Expectation(input: "8 (999) 888-55-33", region: "RU", e164: "+79998885533"),
        Expectation(input: "7 999 888 55 33", region: "RU", e164: "+79998885533"),
        Expectation(input: "0 15 11 2345 6789", region: "BR", e164: "+551123456789"),
    ])
    func nationalPrefixAndCarrierCodeAreStripped(_ e: Expectation) throws { try Self.check(e) }

    @Test func argentineMobileTransformRuleInsertsTheNine() throws {
        try Self.check(Expectation(input: "011 15 2345-6789", region: "AR", e164: "+5491123456789"))
    }

    @Test(arguments: [
        Expectation(input: "8 10 49 30 1234567", region: "RU", e164: "+49301234567"),
        Expectation(input: "8~10 49 30 1234567", region: "RU", e164: "+49301234567"),
        Expectation(input: "011 44 20 7031 3000", region: "US", e164: "+442070313000"),
        Expectation(input: "0011 54 9 11 8765 4321 ext. 1234", region: "AU", e164: "+5491187654321", ext: "1234"),
        // Hong Kong's IDD 00(?:30|5[09]|[126-9]?) takes "0030": leftmost-first, like Java and Python.
        Expectation(input: "0030 1234 5678", region: "HK", e164: "+12345678"),
    ])
    func internationalDiallingPrefixOfTheDefaultRegion(_ e: Expectation) throws { try Self.check(e) }

    @Test func italianLeadingZeroIsPartOfTheNationalNumber() throws {
        let number = try PhoneNumber(parsing: "+39 06 1234 5678")
        #expect(number.e164 == "+390612345678")
        #expect(number.nationalSignificantNumber == "0612345678")
        #expect(number.type == .fixedLine)
    }

    @Test(arguments: [
        Expectation(input: "8-800-CALL-NOW", region: "RU", e164: "+78002255669"),
        Expectation(input: "1-800-MICROSOFT", region: "US", e164: "+1800642767638"),
        // Three or more ASCII letters turn trailing words into digits too.
        Expectation(input: "Tel: +44 20 7031 3000 (office)", region: "ZZ", e164: "+442070313000633423"),
    ])
    func lettersBecomeKeypadDigits(_ e: Expectation) throws { try Self.check(e) }

    @Test(arguments: [
        Expectation(input: "＋７ ９９９ ８８８ ５５ ３３", region: "RU", e164: "+79998885533"),
        Expectation(input: "٠٨٠٠ ١٢٣ ٤٥٦٧", region: "EG", e164: "+208001234567"),
    ])
    func digitsOfAnyScriptAndTheFullWidthPlus(_ e: Expectation) throws { try Self.check(e) }

    @Test(arguments: [
        Expectation(input: "+7 (495) 123-45-67 доб 4567", region: "RU", e164: "+74951234567", ext: "4567"),
        Expectation(input: "(530) 583-6985 x302/x2303", region: "US", e164: "+15305836985", ext: "302"),
        Expectation(input: "+1 650-253-0000 x 123", region: "ZZ", e164: "+16502530000", ext: "123"),
        Expectation(input: "+1 650-253-0000;ext=123", region: "ZZ", e164: "+16502530000", ext: "123"),
        Expectation(input: "+1 650-253-0000,,123#", region: "ZZ", e164: "+16502530000", ext: "123"),
        Expectation(input: "+1 650-253-0000 - 503#", region: "ZZ", e164: "+16502530000", ext: "503"),
        Expectation(input: "+7 999 888 55 33 extensión 7", region: "ZZ", e164: "+79998885533", ext: "7"),
        Expectation(input: "+7 999 888 55 33 ｅｘｔ７", region: "ZZ", e164: "+79998885533", ext: "７"),
        Expectation(input: "+7 999 888 55 33 anexo 7", region: "ZZ", e164: "+79998885533", ext: "7"),
        Expectation(input: "+7 999 888 55 33 ~7", region: "ZZ", e164: "+79998885533", ext: "7"),
        Expectation(input: "8 999 888 55 33 ınt 5", region: "RU", e164: "+79998885533", ext: "5"),
    ])
    func extensionsInEveryKnownSpelling(_ e: Expectation) throws { try Self.check(e) }

    @Test(arguments: [
        Expectation(input: "tel:253-0000;phone-context=+1-650", region: "US", e164: "+16502530000"),
        Expectation(input: "tel:253-0000;phone-context=www.google.com", region: "US", e164: "+12530000"),
        Expectation(input: "+7 (999) 888-55-33 ;isub=1234", region: "ZZ", e164: "+79998885533"),
    ])
    func rfc3966URIs(_ e: Expectation) throws { try Self.check(e) }

    @Test func invalidPhoneContextIsNotANumber() {
        #expect(Self.failure("tel:2530000;phone-context=-a.com", "US") == .notANumber)
        #expect(Self.failure("tel:2530000;phone-context=", "US") == .notANumber)
    }

    @Test func errorKinds() {
        #expect(Self.failure("+0 999", nil) == .invalidCountryCode)
        #expect(Self.failure("+999 123 456", nil) == .invalidCountryCode)
        #expect(Self.failure("8 999 888 55 33", "ZZ") == .invalidCountryCode)
        #expect(Self.failure("8 999 888 55 33", nil) == .invalidCountryCode)
        #expect(Self.failure("810 7", "RU") == .tooShortAfterIDD)
        #expect(Self.failure("1", "RU") == .notANumber)
        #expect(Self.failure("no digits", "RU") == .notANumber)
        #expect(Self.failure("+1 650-253-0000 ext=123", nil) == .notANumber)
        #expect(Self.failure("+7 999 888 55 33 x 1234567890", nil) == .tooLong)
        #expect(Self.failure(String(repeating: "5", count: 251), "RU") == .tooLong)
    }

    @Test func regionCodesAreCaseInsensitive() throws {
        #expect(try PhoneNumber(parsing: "8 999 888 55 33", defaultRegion: "ru").e164 == "+79998885533")
    }

    @Test func sharedCallingCodesResolveToTheRightRegion() throws {
        #expect(try PhoneNumber(parsing: "+1 242 357 1234").regionCode == "BS")
        #expect(try PhoneNumber(parsing: "+44 1481 256789").regionCode == "GG")
        #expect(try PhoneNumber(parsing: "+7 727 258 3456").regionCode == "KZ")
        #expect(try PhoneNumber(parsing: "+800 1234 5678").regionCode == "001")
        #expect(try PhoneNumber(parsing: "+7 12", defaultRegion: "RU").regionCode == nil)
    }

    @Test func validityTypeAndPossibility() throws {
        let mobile = try PhoneNumber(parsing: "+79998885533")
        #expect(mobile.isValid && mobile.isPossible && mobile.type == .mobile)
        let tooShort = try PhoneNumber(parsing: "+7999888553")
        #expect(!tooShort.isValid && !tooShort.isPossible && tooShort.type == .unknown)
        let us = try PhoneNumber(parsing: "(650) 253-0000", defaultRegion: "US")
        #expect(us.type == .fixedLineOrMobile)
    }

    @Test func equalNumbersWrittenDifferentlyAreEqualValues() throws {
        let a = try PhoneNumber(parsing: "8 (999) 888-55-33", defaultRegion: "RU")
        let b = try PhoneNumber(parsing: "tel:+7-999-888-55-33")
        #expect(a == b && a.hashValue == b.hashValue)
        #expect("\(try PhoneNumber(parsing: "+7 495 123 45 67 доб. 12"))" == "+74951234567;ext=12")
    }
}
