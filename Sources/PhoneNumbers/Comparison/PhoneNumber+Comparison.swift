extension PhoneNumber {
    /// Compares two parsed numbers as libphonenumber's `isNumberMatch` does.
    ///
    /// Parsed numbers always carry a country calling code, so the answer is ``PhoneNumberMatchType/exact``,
    /// ``PhoneNumberMatchType/shortNationalSignificantNumber`` (same calling code, and one national
    /// number ends with the other, or only one side has an extension or an Italian leading zero) or
    /// ``PhoneNumberMatchType/noMatch``. Different extensions never match.
    ///
    /// ```swift
    /// let a = try PhoneNumber(parsing: "+1 345 657 1234")
    /// let b = try PhoneNumber(parsing: "657 1234", defaultRegion: "US")
    /// a.match(b)  // .shortNationalSignificantNumber
    /// ```
    ///
    /// - Parameter other: The number to compare with.
    /// - Returns: How closely the numbers agree.
    /// - Complexity: O(1) without extensions; no heap allocation.
    @inlinable
    public func match(_ other: PhoneNumber) -> PhoneNumberMatchType {
        // Only the identifying fields count, as in libphonenumber's `copyCoreFieldsOnly`: an empty
        // extension is no extension.
        let mine = self.extension.flatMap { $0.isEmpty ? nil : $0 }
        let theirs = other.extension.flatMap { $0.isEmpty ? nil : $0 }
        let sameExtension: Bool
        switch (mine, theirs) {
        case (nil, nil): sameExtension = true
        case let (mine?, theirs?):
            // Code point by code point, as the reference compares them (no Unicode equivalence).
            guard mine.utf8.elementsEqual(theirs.utf8) else { return .noMatch }
            sameExtension = true
        default: sameExtension = false
        }
        // Equal value and length: equal digits and the same Italian leading zeros.
        let sameNumber =
            sameExtension && nationalNumber == other.nationalNumber
            && nationalNumberLength == other.nationalNumberLength
        if storedCountryCode != 0 && other.storedCountryCode != 0 {
            guard storedCountryCode == other.storedCountryCode else { return .noMatch }
            if sameNumber { return .exact }
            return Self.isSuffixOfTheOther(nationalNumber, other.nationalNumber)
                ? .shortNationalSignificantNumber : .noMatch
        }
        // A calling code of 0 (a text read without any region) stands for "unknown": only the
        // national numbers are compared.
        if sameNumber { return .nationalSignificantNumber }
        return Self.isSuffixOfTheOther(nationalNumber, other.nationalNumber)
            ? .shortNationalSignificantNumber : .noMatch
    }

    /// Whether the decimal digits of one value end with those of the other. Like libphonenumber,
    /// this reads the national numbers as integers, so leading zeros do not count.
    @inlinable
    static func isSuffixOfTheOther(_ a: UInt64, _ b: UInt64) -> Bool {
        a % powerOfTenAbove(b) == b || b % powerOfTenAbove(a) == a
    }

    /// The least power of ten greater than `value` (10 for 0): the modulus that keeps as many
    /// trailing digits as `value` has. National numbers have at most 17 digits, so it cannot overflow.
    @inlinable
    static func powerOfTenAbove(_ value: UInt64) -> UInt64 {
        var power: UInt64 = 10
        while power <= value { power &*= 10 }
        return power
    }

    /// Compares this number with a number written as text, as libphonenumber's `isNumberMatch` does
    /// for a number and a string.
    ///
    /// The text is parsed with no default region first. If it has no country calling code, it is
    /// read in the main region of this number's calling code instead, and an exact match then
    /// counts only as ``PhoneNumberMatchType/nationalSignificantNumber``, because the text never
    /// said which country it meant.
    ///
    /// ```swift
    /// let number = try PhoneNumber(parsing: "+7 999 888 55 33")
    /// number.match("+7 (999) 888-55-33")  // .exact
    /// number.match("8 (999) 888-55-33")   // .nationalSignificantNumber
    /// number.match("888-55-33")           // .shortNationalSignificantNumber
    /// number.match("call me")             // .notANumber
    /// ```
    ///
    /// - Parameter other: The text of the other number, in any format `PhoneNumber(parsing:)` reads.
    /// - Returns: How closely the numbers agree; ``PhoneNumberMatchType/notANumber`` when the text
    ///   does not parse.
    /// - Complexity: O(n) in the length of `other`; no heap allocation unless a number has an extension.
    public func match(_ other: String) -> PhoneNumberMatchType {
        do throws(PhoneNumberParseError) {
            return match(try PhoneNumberParser.parse(other, region: nil))
        } catch let error where error.code == .invalidCountryCode {
            // The text has no calling code: read it as this number's country would.
            do throws(PhoneNumberParseError) {
                if let main = PhoneNumberMetadata.shared.mainMetadata(forCallingCode: countryCode) {
                    let answer = match(try PhoneNumberParser.parse(other, region: main.key))
                    return answer == .exact ? .nationalSignificantNumber : answer
                }
                // Not reached from parsed numbers (their calling codes are all known), kept as the
                // reference has it: a number without a known country compares national numbers only.
                return match(try PhoneNumberParser.parse(other, region: nil, checkRegion: false))
            } catch {
                return .notANumber
            }
        } catch {
            return .notANumber
        }
    }

    /// Compares two numbers written as text, as libphonenumber's `isNumberMatch` does for two strings.
    ///
    /// A text with a country calling code is parsed first and compared with the other text as
    /// `match(_:)` on a string does. When neither text has a calling code, both are read without
    /// any region and only their national numbers are compared, so the answer is at most
    /// ``PhoneNumberMatchType/nationalSignificantNumber``; national prefixes are then not removed
    /// (`8 999 888-55-33` and `999 888-55-33` are only a short match).
    ///
    /// ```swift
    /// PhoneNumber.match("+7 999 888 55 33", "8 (999) 888-55-33")  // .nationalSignificantNumber
    /// PhoneNumber.match("+7 999 888 55 33", "+79998885533")       // .exact
    /// PhoneNumber.match("999 888 55 33", "9998885533")            // .nationalSignificantNumber
    /// PhoneNumber.match("+7 999 888 55 33", "+375 29 888 55 33")  // .noMatch
    /// ```
    ///
    /// - Parameters:
    ///   - first: One number as written.
    ///   - second: The other number as written.
    /// - Returns: How closely the numbers agree; ``PhoneNumberMatchType/notANumber`` when either
    ///   text does not parse.
    /// - Complexity: O(n) in the length of the texts; no heap allocation unless a number has an
    ///   extension.
    public static func match(_ first: String, _ second: String) -> PhoneNumberMatchType {
        do throws(PhoneNumberParseError) {
            return try PhoneNumberParser.parse(first, region: nil).match(second)
        } catch let error where error.code == .invalidCountryCode {
            do throws(PhoneNumberParseError) {
                return try PhoneNumberParser.parse(second, region: nil).match(first)
            } catch let error where error.code == .invalidCountryCode {
                // Neither text has a calling code: compare them as national numbers of no country.
                do throws(PhoneNumberParseError) {
                    let a = try PhoneNumberParser.parse(first, region: nil, checkRegion: false)
                    let b = try PhoneNumberParser.parse(second, region: nil, checkRegion: false)
                    return a.match(b)
                } catch {
                    return .notANumber
                }
            } catch {
                return .notANumber
            }
        } catch {
            return .notANumber
        }
    }
}
