import PhoneNumberCarriers
import PhoneNumberGeocoding
import PhoneNumberTimeZones
import PhoneNumbers
import Testing

@Suite struct PhoneNumberGeocoderTests {
    static func number(_ text: String) -> PhoneNumber { try! PhoneNumber(parsing: text) }

    @Test(
        arguments: [
            ("+74951234567", "ru", nil, "Московская обл."),  // the oracle's Russian name of 7495123
            ("+78123456789", "ru", nil, "г. Санкт-Петербург"),
            ("+78123456789", "en", nil, "St Petersburg"),
            ("+74951234567", "en", nil, "Moscow"),
            ("+74951234567", "en", "DE", "Russia"),  // another region than the user's: the country
            ("+74951234567", "fr", nil, "Moscow"),  // no French name: English
            ("+79123456789", "ru", nil, "Россия"),  // a mobile: the country
            ("+442083612345", "en", nil, "London"),
            ("+4930123456", "de", nil, "Berlin"),
            ("+41431234567", "it", nil, "Zurigo"),
            ("+12012345678", "ja", nil, "アメリカ合衆国"),  // no Japanese name, and no English fallback for ja
            ("+7495123", "en", nil, nil),  // invalid
        ] as [(String, String, String?, String?)])
    func describes(_ text: String, _ language: String, _ region: String?, _ expected: String?) {
        #expect(PhoneNumberGeocoder.description(for: Self.number(text), language: language, region: region) == expected)
    }

    @Test func chineseScriptsAndNoEnglishFallback() {
        let taipei = Self.number("+886223456789")
        let simplified = PhoneNumberGeocoder.description(for: taipei, language: "zh")
        let traditional = PhoneNumberGeocoder.description(for: taipei, language: "zh", region: "TW")
        #expect(simplified != nil && traditional != nil && simplified != traditional)
        #expect(PhoneNumberGeocoder.description(for: taipei, language: "zh", script: "Hant") == traditional)
    }

    @Test func carriers() {
        let beeline = Self.number("+79031234567")
        #expect(PhoneNumberCarrier.name(for: beeline, language: "en") == "Beeline")
        #expect(PhoneNumberCarrier.name(for: beeline, language: "ru") == "Билайн")
        #expect(PhoneNumberCarrier.name(for: Self.number("+79261234567"), language: "ru") == "МегаФон")
        #expect(PhoneNumberCarrier.isMobileNumberPortable(region: "RU"))
        // As PyPI phonenumbers' is_mobile_number_portable_region: 107 regions, not UA or UZ.
        #expect(["KZ", "BY", "DE", "GB", "AM"].allSatisfy { PhoneNumberCarrier.isMobileNumberPortable(region: $0) })
        #expect(!["UA", "UZ", "ZZ", "001", ""].contains { PhoneNumberCarrier.isMobileNumberPortable(region: $0) })
        #expect(PhoneNumberCarrier.safeDisplayName(for: beeline, language: "en") == nil)  // RU numbers are portable
        #expect(PhoneNumberCarrier.name(for: Self.number("+74951234567"), language: "en") == nil)  // fixed line
    }

    @Test func timeZones() {
        #expect(PhoneNumberTimeZones.timeZones(for: Self.number("+73831234567")) == ["Asia/Novosibirsk"])
        #expect(PhoneNumberTimeZones.timeZones(for: Self.number("+7495123")) == ["Etc/Unknown"])
        #expect(PhoneNumberTimeZones.timeZones(for: Self.number("+79123456789")).contains("Europe/Moscow"))
    }

    @Test func concurrentFirstUse() async {
        // Every language's tables decoded at once from many tasks (static lets are initialized once);
        // each task's answers must equal the ones asked again afterwards, from one thread.
        let languages = ["en", "ru", "de", "zh", "fr", "pt", "ja", "ko", "uk", "kk", "be", "hy", "bg", "es"]
        let city = Self.number("+74951234567")
        let mobile = Self.number("+79031234567")
        @Sendable func answers(_ language: String) -> [String?] {
            [
                PhoneNumberGeocoder.description(for: city, language: language),
                PhoneNumberCarrier.name(for: mobile, language: language),
                PhoneNumberTimeZones.timeZones(for: city).first,
            ]
        }
        let concurrent = await withTaskGroup(of: (Int, [String?]).self) { group in
            for i in 0..<64 { group.addTask { (i, answers(languages[i % languages.count])) } }
            var results: [(Int, [String?])] = []
            for await result in group { results.append(result) }
            return results
        }
        #expect(concurrent.count == 64)
        for (i, result) in concurrent { #expect(result == answers(languages[i % languages.count])) }
        #expect(answers("ru") == ["Московская обл.", "Билайн", "Europe/Moscow"])
    }
}
