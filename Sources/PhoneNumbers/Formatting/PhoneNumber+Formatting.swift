/// The ways libphonenumber writes a number (its `PhoneNumberFormat`).
public enum PhoneNumberFormat: String, Hashable, Sendable, CaseIterable {
    /// `+79998885533`: for machines; never an extension.
    case e164
    /// `+7 999 888-55-33`: for people anywhere.
    case international
    /// `8 (999) 888-55-33`: for people in the number's country, with its national prefix.
    case national
    /// `tel:+7-999-888-55-33`, the URI of RFC 3966, with `;ext=` for an extension.
    case rfc3966
}

extension PhoneNumber {
    /// The number written in `format`, as libphonenumber's `format` writes it.
    ///
    /// ```swift
    /// let number = try PhoneNumber(parsing: "89998885533", defaultRegion: "RU")
    /// number.formatted(.national)        // "8 (999) 888-55-33"
    /// number.formatted(.international)   // "+7 999 888-55-33"
    /// number.formatted(.rfc3966)         // "tel:+7-999-888-55-33"
    /// ```
    ///
    /// The pattern is chosen by the number's digits among its country's formats; a number no
    /// format covers (often one that is not valid) is written as its digits.
    public func formatted(_ format: PhoneNumberFormat) -> String {
        if format == .e164 { return e164 }
        return formatted(format, carrierCode: nil)
    }

    /// Calls `body` with the number written in `format` as UTF-8, without making a string: for
    /// writers that copy the text into a buffer of their own (`screenpop normalize` writes millions
    /// of lines, and a string of more than 15 bytes is an allocation).
    ///
    /// The bytes are those of ``formatted(_:)``; they are valid only during the call. Not generic
    /// over a result: an unspecialized generic across the module boundary looks up type metadata at
    /// run time, which cost more than the formatting.
    public func withFormatted(_ format: PhoneNumberFormat, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        if format == .e164 { return withE164(body) }
        guard PhoneNumberMetadata.shared.isKnownCallingCode(countryCode) else { return withNationalDigits(body) }
        return withWritten(format, carrierCode: nil, dialledFrom: nil, body)
    }

    /// The number in NATIONAL format as dialled through `carrierCode` where the country selects
    /// carriers that way (Brazil, Colombia, Argentina...): libphonenumber's
    /// `formatNationalNumberWithCarrierCode`. An empty code gives the plain national format.
    public func formattedNational(carrierCode: String) -> String {
        formatted(.national, carrierCode: carrierCode)
    }

    /// Calls `body` with the NATIONAL, INTERNATIONAL and RFC 3966 forms as UTF-8, the bytes of
    /// ``formatted(_:)`` for each: what a reader that shows a number to people asks for at once.
    /// The number's pattern is chosen once for all three where its country has no separate
    /// international formats (twice where it has), not once per format.
    public func withFormattedForPeople(
        _ body: (
            _ national: UnsafeBufferPointer<UInt8>, _ international: UnsafeBufferPointer<UInt8>,
            _ rfc3966: UnsafeBufferPointer<UInt8>
        ) -> Void
    ) {
        let metadata = PhoneNumberMetadata.shared
        guard metadata.isKnownCallingCode(countryCode), let region = metadata.mainMetadata(forCallingCode: countryCode)
        else { return withNationalDigits { body($0, $0, $0) } }
        withNationalDigits { nsn in
            let national = metadata.formattingPattern(for: nsn, in: region, .national)
            let international =
                region.internationalFormats.isEmpty
                ? national : metadata.formattingPattern(for: nsn, in: region, .international)
            withWritten(.national, nsn: nsn, region: region, chosen: national, carrierCode: nil, dialledFrom: nil) {
                nationalText in
                withWritten(
                    .international, nsn: nsn, region: region, chosen: international, carrierCode: nil, dialledFrom: nil
                ) { internationalText in
                    withWritten(
                        .rfc3966, nsn: nsn, region: region, chosen: international, carrierCode: nil, dialledFrom: nil
                    ) { body(nationalText, internationalText, $0) }
                }
            }
        }
    }

    /// The number as dialled from `region` (libphonenumber's `formatOutOfCountryCallingNumber`):
    /// with that region's international prefix (`8~10 49 30 123456` from Russia,
    /// `00 49 30 123456` from France), national format inside the same country calling code,
    /// and `1 ` plus the national format between NANPA countries. An unknown region gives the
    /// INTERNATIONAL format; a region with several international prefixes and no preferred one
    /// gives the INTERNATIONAL format too.
    public func formatted(forCallingFrom region: String) -> String {
        let metadata = PhoneNumberMetadata.shared
        guard let key = RegionKey(region), key != .nonGeographic, let from = metadata.region(key) else {
            return formatted(.international)
        }
        guard metadata.isKnownCallingCode(countryCode) else { return nationalSignificantNumber }
        if countryCode == 1 {
            if from.callingCode == 1 { return write(.national, carrierCode: nil, dialledFrom: from) }
        } else if countryCode == from.callingCode {
            return write(.national, carrierCode: nil, dialledFrom: nil)
        }
        return write(.international, carrierCode: nil, dialledFrom: from)
    }

    private func formatted(_ format: PhoneNumberFormat, carrierCode: String?) -> String {
        guard PhoneNumberMetadata.shared.isKnownCallingCode(countryCode) else { return nationalSignificantNumber }
        return write(format, carrierCode: carrierCode, dialledFrom: nil)
    }

    /// Writes the number: the prefix (`+7 `, `tel:+7-`, an international prefix dialled from
    /// `dialledFrom`, or `1 ` for NATIONAL dialled from another NANPA country), the national
    /// significant number through its format, and the extension.
    ///
    /// The text is built in a stack buffer and then copied into a string of its exact length: a
    /// string made with a larger capacity keeps heap storage even when the text would fit in a small
    /// string (15 bytes), so this way a short result allocates nothing and a long one allocates once.
    private func write(_ format: PhoneNumberFormat, carrierCode: String?, dialledFrom: RegionMetadata?) -> String {
        var text = ""
        withWritten(format, carrierCode: carrierCode, dialledFrom: dialledFrom) { text = String(decoding: $0, as: UTF8.self) }
        return text
    }

    /// `write`'s text handed to `body` from the stack buffer it is built in. Not generic over a
    /// result: the string formats and the byte readers share it, and a generic version measured
    /// slower on the string path.
    private func withWritten(
        _ format: PhoneNumberFormat, carrierCode: String?, dialledFrom: RegionMetadata?,
        _ body: (UnsafeBufferPointer<UInt8>) -> Void
    ) {
        let metadata = PhoneNumberMetadata.shared
        // A known calling code has a main region, which holds the formats of every region sharing it.
        guard let region = metadata.mainMetadata(forCallingCode: countryCode) else { return withNationalDigits(body) }
        withNationalDigits { nsn in
            let chosen = metadata.formattingPattern(for: nsn, in: region, format)
            withWritten(
                format, nsn: nsn, region: region, chosen: chosen, carrierCode: carrierCode, dialledFrom: dialledFrom,
                body)
        }
    }

    /// `withWritten` once the national digits are written out and the pattern is chosen.
    private func withWritten(
        _ format: PhoneNumberFormat, nsn: UnsafeBufferPointer<UInt8>, region: RegionMetadata, chosen: NumberFormat?,
        carrierCode: String?, dialledFrom: RegionMetadata?, _ body: (UnsafeBufferPointer<UInt8>) -> Void
    ) {
        let metadata = PhoneNumberMetadata.shared
        var template = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        if let chosen {
            if format == .national, let carrierCode, !carrierCode.isEmpty, !chosen.carrierTemplate.isEmpty {
                template = chosen.carrierTemplate
            } else if format == .national {
                template = chosen.nationalTemplate
            } else {
                template = chosen.template
            }
        }
        let outbound = dialledFrom?.outboundInternationalPrefix ?? UnsafeBufferPointer(start: nil, count: 0)
        let extensionText = self.extension.flatMap { $0.isEmpty ? nil : $0 }
        let extensionPrefix = region.extensionPrefix
        var carrier = carrierCode ?? ""
        // Every `$n` expands to at most the whole number; a `$CC` to the carrier code.
        let capacity =
            16 + outbound.count + template.count * (1 + nsn.count) + carrier.utf8.count * 2 + nsn.count
            + (extensionText.map { $0.utf8.count + extensionPrefix.count + 5 } ?? 0)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            var out = OutputBytes(buffer)
            // The prefix.
            switch format {
            case .national:
                if dialledFrom != nil { out.append("1 ") }
            case .e164: out.append(UInt8(ascii: "+")); out.appendDecimal(countryCode)
            case .international:
                if dialledFrom != nil, !outbound.isEmpty {
                    out.append(outbound); out.append(UInt8(ascii: " "))
                    out.appendDecimal(countryCode); out.append(UInt8(ascii: " "))
                } else {
                    out.append(UInt8(ascii: "+")); out.appendDecimal(countryCode); out.append(UInt8(ascii: " "))
                }
            case .rfc3966:
                out.append("tel:+")
                out.appendDecimal(countryCode)
                out.append(UInt8(ascii: "-"))
            }
            // The national significant number.
            let start = out.count
            if let chosen {
                carrier.withUTF8 { carrierBytes in
                    metadata.substitute(
                        nsn, program: metadata.programs[Int(chosen.groups)], template: template,
                        carrierCode: carrierBytes, into: &out)
                }
                if format == .rfc3966 { out.joinSeparatorsWithDashes(from: start) }
            } else {
                out.append(nsn)
            }
            // The extension.
            if let extensionText {
                if format == .rfc3966 {
                    out.append(";ext=")
                } else {
                    out.append(extensionPrefix)
                }
                var text = extensionText
                text.withUTF8 { out.append($0) }
            }
            body(out.bytes)
        }
    }
}

extension PhoneNumberMetadata {
    /// The first format of `region` whose last leading-digits pattern matches the start of `nsn`
    /// and whose pattern matches all of it (libphonenumber's `chooseFormattingPatternForNumber`).
    /// INTERNATIONAL uses the international formats when the region has them.
    func formattingPattern(
        for nsn: UnsafeBufferPointer<UInt8>, in region: RegionMetadata, _ format: PhoneNumberFormat
    ) -> NumberFormat? {
        let formats =
            format == .national || region.internationalFormats.isEmpty ? region.formats : region.internationalFormats
        // Most formats are ruled out by the first digit alone, without running a DFA.
        let first: UInt16 = nsn.first.map { 1 &<< UInt16($0 &- 48) } ?? 0x400
        for candidate in formats {
            if candidate.firstDigits & first == 0 { continue }
            if candidate.leadingDigits >= 0, !automata.matchesPrefix(candidate.leadingDigits, nsn) { continue }
            // A pattern of one length (most are) is checked digit by digit, independently.
            let program = programs[Int(candidate.groups)]
            if program.fixedCaptures != nil {
                if program.matchesAllFixed(nsn) { return candidate }
            } else if automata.matchesWhole(candidate.pattern, nsn) {
                return candidate
            }
        }
        return nil
    }

    /// What `re.sub(pattern, template, nsn)` gives in Java and Python: every leftmost-first match
    /// of the pattern, from left to right, replaced by the template (`$n` is group n, empty when
    /// the group took no part; `$CC` is the carrier code), the digits between matches kept.
    /// The chosen pattern matches the whole number, but its first match need not cover it all.
    func substitute(
        _ nsn: UnsafeBufferPointer<UInt8>, program: DigitProgram, template: UnsafeBufferPointer<UInt8>,
        carrierCode: UnsafeBufferPointer<UInt8>, into out: inout OutputBytes
    ) {
        var position = 0
        while position < nsn.count {
            let rest = UnsafeBufferPointer(rebasing: nsn[position...])
            // The pattern matches all of `nsn`; a program of one length then matches it all at once.
            let fixed = position == 0 && program.fixedDigits.count == nsn.count ? program.fixedCaptures : nil
            guard let captures = fixed ?? program.matchPrefix(rest), captures.end > 0 else {
                out.append(nsn[position])
                position += 1
                continue
            }
            var i = 0
            while i < template.count {
                let byte = template[i]
                if byte == UInt8(ascii: "$"), i + 1 < template.count {
                    let next = template[i + 1]
                    if next >= UInt8(ascii: "0"), next <= UInt8(ascii: "9") {
                        if let group = captures.group(Int(next &- 48)) {
                            out.append(UnsafeBufferPointer(rebasing: rest[group]))
                        }
                        i += 2
                        continue
                    }
                    if next == UInt8(ascii: "C"), i + 2 < template.count, template[i + 2] == UInt8(ascii: "C") {
                        out.append(carrierCode)
                        i += 3
                        continue
                    }
                }
                out.append(byte)
                i += 1
            }
            position += captures.end
        }
    }
}

/// Bytes written into a buffer that the caller sized.
struct OutputBytes {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private(set) var count = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) { self.buffer = buffer }

    /// The bytes written so far (valid UTF-8: ASCII and the extension's own text).
    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: buffer[..<count]) }

    mutating func append(_ byte: UInt8) {
        buffer[count] = byte
        count &+= 1
    }

    /// A loop, not `memmove`: the pieces of a number are a few bytes each, shorter than a call.
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        let target = buffer.baseAddress! + count
        for i in 0..<bytes.count { target[i] = base[i] }
        count &+= bytes.count
    }

    mutating func append(_ text: StaticString) {
        append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// A country calling code: one to three digits.
    mutating func appendDecimal(_ value: Int) {
        if value >= 100 { append(UInt8(truncatingIfNeeded: value / 100 % 10) &+ 48) }
        if value >= 10 { append(UInt8(truncatingIfNeeded: value / 10 % 10) &+ 48) }
        append(UInt8(truncatingIfNeeded: value % 10) &+ 48)
    }

    /// RFC 3966's national part: separators at the start dropped, every other run of them one
    /// dash (libphonenumber's separator class; formats are ASCII, so its ASCII members suffice).
    mutating func joinSeparatorsWithDashes(from start: Int) {
        var write = start
        var read = start
        var pendingSeparator = false
        while read < count {
            let byte = buffer[read]
            read += 1
            if Self.isSeparator(byte) {
                pendingSeparator = true
                continue
            }
            if pendingSeparator, write > start {
                buffer[write] = UInt8(ascii: "-")
                write += 1
            }
            pendingSeparator = false
            buffer[write] = byte
            write += 1
        }
        if pendingSeparator, write > start {
            buffer[write] = UInt8(ascii: "-")
            write += 1
        }
        count = write
    }

    private static func isSeparator(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "-"), UInt8(ascii: "x"), UInt8(ascii: " "), UInt8(ascii: "("), UInt8(ascii: ")"),
            UInt8(ascii: "."), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "/"), UInt8(ascii: "~"):
            true
        default: false
        }
    }
}
