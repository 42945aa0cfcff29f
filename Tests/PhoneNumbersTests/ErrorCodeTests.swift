import Testing

@testable import PhoneNumbers

/// The error codes print as their names, each code its own: every code of the backing enums is
/// listed, so a code added later gets a name or the switch does not compile, and cannot print as
/// another one.
@Suite struct ErrorCodeTests {
    @Test func everyParseErrorCodeHasItsOwnLibphonenumberName() {
        let codes = PhoneNumberParseError.Code.allCodes
        #expect(codes.count == PhoneNumberParseError.Code.BackingCode.allCases.count)
        #expect(Set(codes.map(\.description)).count == codes.count)
        #expect(codes.allSatisfy { $0.description == $0.name })
        // libphonenumber's names, as the CLI prints them.
        #expect(
            codes.map(\.name) == ["INVALID_COUNTRY_CODE", "NOT_A_NUMBER", "TOO_SHORT_AFTER_IDD", "TOO_SHORT_NSN", "TOO_LONG"]
        )
        #expect(PhoneNumberParseError.Code.tooShortNSN.name == "TOO_SHORT_NSN")
    }

    @Test func everyCallerIDErrorCodeHasItsOwnWireName() {
        let codes = CallerID.Error.Code.allCodes
        #expect(codes.count == CallerID.Error.Code.BackingCode.allCases.count)
        #expect(Set(codes.map(\.description)).count == codes.count)
        #expect(codes.map(\.description) == ["empty", "no_number"])
        #expect(CallerID.Error(code: .noNumber, parseError: .notANumber).description == "no_number: NOT_A_NUMBER")
        #expect(CallerID.Error(code: .empty, parseError: nil).description == "empty")
    }

    @Test func aParseErrorCodeIsOneByte() {
        #expect(MemoryLayout<PhoneNumberParseError.Code>.size == 1)
        #expect(MemoryLayout<CallerID.Error.Code>.size == 1)
    }
}
