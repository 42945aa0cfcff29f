import PhoneNumbers

extension SuffixFallback {
    /// Why the last-digits fallback was not tried for a call that no stored number matched
    /// exactly, although the fallback was on: part of the decision (``CallTargetDecision/suffixFallbackSkipped``).
    public struct SkipReason: Hashable, Sendable, CustomStringConvertible {
        /// The reasons themselves; every `switch` over them is exhaustive. New ones may be added.
        enum BackingCode: Hashable, Sendable, CaseIterable {
            case shortNumber
        }

        let code: BackingCode

        /// The caller's number is a short number (a service, emergency or carrier code such as
        /// `112` or `900`) where it was dialled: its last digits say nothing about who calls, and a
        /// contact whose number merely ends in them must not pop up.
        public static let shortNumber = SkipReason(code: .shortNumber)

        /// The wire name: `short_number`.
        public var name: String {
            switch code {
            case .shortNumber: "short_number"
            }
        }

        /// In words: `short number`.
        public var description: String {
            switch code {
            case .shortNumber: "short number"
            }
        }
    }
}

extension SuffixFallback {
    /// Whether a caller's number, read with the account's region, is a short number: a valid short
    /// number there (``ShortNumbers/isValidShortNumber(_:preferringRegion:)``: `112`, `01`), or too
    /// short to be any regular number of its country code while of a short-number length
    /// (`900` in Russia: libphonenumber's Russian short codes list only 01-04, 101-104 and 112,
    /// but no Russian number has three digits).
    ///
    /// - Complexity: a few DFA steps; no allocation.
    static func isShortCaller(_ number: PhoneNumber, region: String?) -> Bool {
        if ShortNumbers.isValidShortNumber(number, preferringRegion: region) { return true }
        return !number.isPossible && ShortNumbers.isPossibleShortNumber(number)
    }
}
