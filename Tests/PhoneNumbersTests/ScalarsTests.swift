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

    @Test func keypadLettersFollowE161() {
        #expect(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ".unicodeScalars.map { Scalars.keypadDigit($0.value)! }
                == [2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7, 7, 8, 8, 8, 9, 9, 9, 9])
        #expect(Scalars.keypadDigit(0x131) == 4)  // ı upper-cases to I
        #expect(Scalars.keypadDigit(0x17F) == 7)  // ſ upper-cases to S
        #expect(Scalars.keypadDigit(0x130) == nil)  // İ does not
    }
}
