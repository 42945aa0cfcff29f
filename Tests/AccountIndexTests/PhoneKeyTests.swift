import PhoneNumbers
import Testing

@testable import AccountIndex

@Suite struct PhoneKeyTests {
    struct Extraction: CustomTestStringConvertible, Sendable {
        let stored: String
        let region: String
        let keys: [String]
        var testDescription: String { "\(stored.debugDescription) in \(region)" }
    }

    static let extractions: [Extraction] = [
        // Several numbers in one value: each becomes a key.
        .init(stored: "+7 999 888 55 33, +7 999 111 22 33", region: "RU", keys: ["+79991112233", "+79998885533"]),
        .init(stored: "89998885533 84951234567", region: "RU", keys: ["+74951234567", "+79998885533"]),
        .init(stored: "8 999 888 55 33 / 8 916 123 45 67", region: "RU", keys: ["+79161234567", "+79998885533"]),
        // Extensions and comments.
        .init(stored: "8 (495) 123-45-67 доб. 12", region: "RU", keys: ["+74951234567"]),
        .init(stored: "тел. 8-999-888-55-33 (Маша)", region: "RU", keys: ["+79998885533"]),
        .init(stored: "+7 999 888 55 33 ext. 5", region: "RU", keys: ["+79998885533"]),
        // No country code, no trunk prefix.
        .init(stored: "9998885533", region: "RU", keys: ["+79998885533"]),
        .init(stored: "8 999 888-55-33", region: "RU", keys: ["+79998885533"]),
        // A German number stored without + in a Russian account: kept as the (invalid) Russian
        // number strict parsing makes of it, for the last-digits fallback.
        .init(stored: "49 30 1234567", region: "RU", keys: ["+749301234567"]),
        .init(stored: "+49 30 1234567", region: "RU", keys: ["+49301234567"]),
        // Other regions; Kazakhstan shares calling code 7.
        .init(stored: "+7 701 123 45 67", region: "RU", keys: ["+77011234567"]),
        .init(stored: "030 1234567", region: "DE", keys: ["+49301234567"]),
        // Nothing to find.
        .init(stored: "", region: "RU", keys: []),
        .init(stored: "нет телефона", region: "RU", keys: []),
        .init(stored: "1", region: "RU", keys: []),
        // Strict parsing takes two digits as a number; kept, and too short for the fallback.
        .init(stored: "12", region: "RU", keys: ["+712"]),
    ]

    @Test(arguments: extractions)
    func keysOfStoredValue(_ example: Extraction) {
        let keys = PhoneKey.keys(inStoredValues: [PhoneValue(example.stored)], defaultRegion: example.region)
        #expect(keys.map(\.e164) == example.keys)
    }

    @Test func keysOfSeveralValuesAreSortedAndUnique() {
        let values = [PhoneValue("+79998885533"), PhoneValue("8 (999) 888-55-33"), PhoneValue("+7 916 123 45 67")]
        #expect(
            PhoneKey.keys(inStoredValues: values, defaultRegion: "RU").map(\.e164) == ["+79161234567", "+79998885533"])
    }

    @Test(arguments: ["+79998885533", "+390212345678", "+12125551234", "+4930123456", "+1"])
    func roundTrip(_ e164: String) throws {
        let key = try #require(PhoneKey(e164: e164))
        #expect(key.e164 == e164)
        #expect(key.digitCount == e164.count - 1)
    }

    @Test func keyOfParsedNumberKeepsLeadingZeroAndDropsExtension() throws {
        let italian = try PhoneNumber(parsing: "+39 02 1234 5678", defaultRegion: nil)
        #expect(PhoneKey(italian)?.e164 == "+390212345678")
        let withExtension = try PhoneNumber(parsing: "+7 495 123-45-67 доб. 12", defaultRegion: nil)
        #expect(PhoneKey(withExtension) == key("+74951234567"))
    }

    @Test func bucketIsTheLastDigitsOrTheWholeShortNumber() {
        #expect(key("+79998885533").bucket(suffixDigits: 10) == key("+4919998885533").bucket(suffixDigits: 10))
        #expect(key("+79998885533").bucket(suffixDigits: 10) != key("+79998885534").bucket(suffixDigits: 10))
        // Fewer digits than the suffix: the bucket is the number itself.
        #expect(key("+4930123").bucket(suffixDigits: 10) == key("+4930123"))
        #expect(key("+4930123").bucket(suffixDigits: 10) != key("+14930123").bucket(suffixDigits: 10))
        // Leading zeros of the suffix count.
        #expect(key("+70012345678").bucket(suffixDigits: 10) != key("+7012345678").bucket(suffixDigits: 10))
    }

    @Test(arguments: ["", "+", "abc", "+7999888553312345678", "7-999"])
    func invalidE164HasNoKey(_ text: String) {
        #expect(PhoneKey(e164: text) == nil)
    }
}
