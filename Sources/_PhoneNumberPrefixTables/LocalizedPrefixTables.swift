import PhoneNumbers

/// Prefix tables in several languages and libphonenumber's choice among them (PyPI phonenumbers'
/// `prefix._find_lang` applied prefix by prefix, as `_prefix_description_for_number` does).
///
/// libphonenumber looks at the longest prefix first and, for each prefix, takes the first language
/// of the locale's fallback chain that names it. With one table per language that is: the deepest
/// match over the chain's tables, the earlier language on a tie.
package struct LocalizedPrefixTables: Sendable {
    /// The languages that have a table, packed (`pack`), ascending.
    let languages: [UInt64]
    /// The table of `languages[i]`, decoded on first use.
    let table: @Sendable (Int) -> PrefixTable

    package init(languages: [UInt64], table: @escaping @Sendable (Int) -> PrefixTable) {
        self.languages = languages
        self.table = table
    }

    /// The name for `number` in the locale, or nil.
    ///
    /// - Complexity: one trie walk of at most 9 digits per language of the fallback chain that has
    ///   a table (usually the language and English).
    package func name(
        for number: PhoneNumber, language: String, script: String?, region: String?
    ) -> String? {
        let chain = LocaleChain(language: language, script: script, region: region)
        return withE164Prefix(number) { digits in
            var best: (table: PrefixTable, length: Int, name: Int)?
            chain.forEach { key in
                guard let index = Self.index(of: key, in: languages) else { return }
                let table = self.table(index)
                if let match = table.longestMatch(digits), match.length > (best?.length ?? 0) {
                    best = (table, match.length, match.name)
                }
            }
            guard let best else { return nil }
            return best.table.names.string(best.name)
        }
    }
}

extension LocalizedPrefixTables {
    /// Binary search in an ascending array (40 languages: 6 steps instead of up to 40).
    @inlinable
    package static func index(of key: UInt64, in sorted: [UInt64]) -> Int? {
        var low = 0
        var high = sorted.count
        while low < high {
            let mid = (low &+ high) >> 1
            if sorted[mid] < key { low = mid &+ 1 } else { high = mid }
        }
        return low < sorted.count && sorted[low] == key ? low : nil
    }
}

/// Calls `body` with the first digits (at most 9, the longest prefix in the data) of the number in
/// E.164 form without the `+`, without allocating.
@inlinable
package func withE164Prefix<R>(_ number: PhoneNumber, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    number.withNationalSignificantDigits { national in
        var buffer: (UInt64, UInt64) = (0, 0)
        return withUnsafeMutableBytes(of: &buffer) { raw in
            var count = 0
            var code = number.countryCode
            var divisor = code >= 100 ? 100 : (code >= 10 ? 10 : 1)
            while divisor > 0 {
                raw[count] = UInt8(truncatingIfNeeded: code / divisor) &+ 48
                code %= divisor
                divisor /= 10
                count += 1
            }
            for digit in national where count < 9 {
                raw[count] = digit
                count += 1
            }
            return body(UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count))
        }
    }
}

/// libphonenumber's locale fallback chain (`prefix._find_lang`), as packed keys: the normalized
/// locale (zh_TW, zh_HK, zh_MO: zh_Hant), the full locale, language_Script, language_Region, the
/// language, then English unless the language is Chinese, Japanese or Korean.
package struct LocaleChain {
    var keys: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)

    package init(language: String, script: String?, region: String?) {
        let lang = PackedCode(language)
        let full: PackedCode
        if let script {
            full =
                region.map { lang.joined(PackedCode(script)).joined(PackedCode($0)) } ?? lang.joined(PackedCode(script))
        } else if let region {
            full = lang.joined(PackedCode(region))
        } else {
            full = lang
        }
        switch full.value {
        case Self.zhTW, Self.zhHK, Self.zhMO: keys.0 = Self.zhHant
        default: break
        }
        // A key already in the chain is left out: a later duplicate never changes the answer (ties go
        // to the earlier language), and each key costs a trie walk.
        keys.1 = full.value
        if let script, region != nil { keys.2 = lang.joined(PackedCode(script)).value }
        if let region, script != nil { keys.3 = lang.joined(PackedCode(region)).value }
        if lang.value != full.value { keys.4 = lang.value }
        if lang.value != Self.zh && lang.value != Self.ja && lang.value != Self.ko && lang.value != Self.en {
            keys.5 = Self.en
        }
    }

    // The codes the chain names, packed once (bytes little-endian: "en" is 0x6E65).
    static let zhHant = PackedCode("zh_Hant").value
    static let zhTW = PackedCode("zh_TW").value
    static let zhHK = PackedCode("zh_HK").value
    static let zhMO = PackedCode("zh_MO").value
    static let zh = PackedCode("zh").value
    static let ja = PackedCode("ja").value
    static let ko = PackedCode("ko").value
    static let en = PackedCode("en").value

    /// Calls `body` with each key of the chain in order (0, a code too long to pack, is skipped).
    @inlinable
    package func forEach(_ body: (UInt64) -> Void) {
        // Not a loop over an array literal, which would allocate.
        if keys.0 != 0 { body(keys.0) }
        if keys.1 != 0 { body(keys.1) }
        if keys.2 != 0 { body(keys.2) }
        if keys.3 != 0 { body(keys.3) }
        if keys.4 != 0 { body(keys.4) }
        if keys.5 != 0 { body(keys.5) }
    }
}

/// A short ASCII code (language, script, region, or their `_` joins) packed little-endian into a
/// UInt64, as scripts/generate-geodata.py packs them; 0 when it is longer than 8 bytes or empty.
package struct PackedCode: Equatable {
    package let value: UInt64
    let count: Int

    package init(_ text: String) {
        var value: UInt64 = 0
        var count = 0
        for byte in text.utf8 {
            guard count < 8 else {
                value = 0
                count = 9
                break
            }
            value |= UInt64(byte) << UInt64(8 * count)
            count += 1
        }
        self.value = value
        self.count = count
    }

    init(value: UInt64, count: Int) {
        self.value = value
        self.count = count
    }

    /// `self + "_" + other`.
    func joined(_ other: PackedCode) -> PackedCode {
        let total = count + 1 + other.count
        guard count <= 8, other.count <= 8, total <= 8, value != 0 || count == 0 else {
            return PackedCode(value: 0, count: 9)
        }
        let withUnderscore = value | UInt64(UInt8(ascii: "_")) << UInt64(8 * count)
        return PackedCode(value: withUnderscore | other.value << UInt64(8 * (count + 1)), count: total)
    }
}
