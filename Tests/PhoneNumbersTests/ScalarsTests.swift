import Testing

@testable import PhoneNumbers

@Suite struct ScalarsTests {
    @Test func digitTableAgreesWithTheStandardLibraryForEveryScalar() {
        var mismatches: [UInt32] = []
        for v in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(v) else { continue }
            let expected: UInt8? =
                scalar.properties.numericType == .decimal ? scalar.properties.numericValue.map { UInt8($0) } : nil
            if Scalars.digitValue(v) != expected { mismatches.append(v) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10).map { String($0, radix: 16) })")
    }

    /// The matcher tells currency signs below U+058F without the Unicode tables.
    @Test func invalidPunctuationAgreesWithTheStandardLibraryForEveryScalar() {
        var mismatches: [UInt32] = []
        for v in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(v) else { continue }
            let expected = v == 0x25 || scalar.properties.generalCategory == .currencySymbol
            if MatcherFilters.isInvalidPunctuation(v) != expected { mismatches.append(v) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10).map { String($0, radix: 16) })")
    }

    /// The bit sets of the ASCII fast paths spell out the same classes as the lists they replace.
    @Test func asciiBitSetsAgreeWithTheirClasses() {
        let punctuation: Set<UInt32> = [0x20, 0x28, 0x29, 0x2D, 0x2E, 0x2F, 0x58, 0x5B, 0x5D, 0x78, 0x7E]
        for c in UInt32(0)..<0x80 {
            #expect(Scalars.isPunctuation(c) == punctuation.contains(c), "\(c)")
            let body = Scalars.isDigit(c) || Scalars.isPunctuation(c) || c == 0x2A || Scalars.isAlpha(c)
            #expect(TextChecks.isNumberBodyCharacter(c) == body, "\(c)")
            #expect(
                MatcherEngine.mayStartCandidateASCII(c) == (Scalars.isDigit(c) || MatcherEngine.isLead(c)), "\(c)")
        }
        for c in UInt32(0)...0xFFFF {
            let bracket = MatcherFilters.isOpeningBracket(c) || MatcherFilters.isClosingBracket(c)
            #expect(MatcherFilters.isBracket(c) == bracket, "\(c)")
        }
    }

    /// Outside ASCII, the candidate search skips every scalar below U+0660 as neither a digit nor
    /// a lead.
    @Test func noScalarBelowArabicIndicDigitsStartsACandidate() {
        for c in UInt32(0x80)..<0x660 {
            #expect(!Scalars.isDigit(c) && !MatcherEngine.isLead(c), "\(c)")
        }
    }

    @Test func keypadLettersFollowE161() {
        #expect(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ".unicodeScalars.map { Scalars.keypadDigit($0.value)! }
                == [2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7, 7, 8, 8, 8, 9, 9, 9, 9])
        #expect(Scalars.keypadDigit(0x131) == 4)  // ı upper-cases to I
        #expect(Scalars.keypadDigit(0x17F) == 7)  // ſ upper-cases to S
        #expect(Scalars.keypadDigit(0x130) == nil)  // İ does not
    }
}
