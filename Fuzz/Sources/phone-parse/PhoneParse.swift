import FuzzSupport
import PhoneFuzzSupport
import PhoneNumbers

/// `PhoneNumber(parsing:defaultRegion:)`: the first byte picks the default region, the rest is text
/// (invalid UTF-8 replaced, as the server decodes it). A number that parses comes back from its E.164
/// form parsed with "ZZ" as the same number, or as libphonenumber gives it back
/// (``sameOrPrefixTakenOff``); a valid one likewise from its RFC 3966 form and, without an extension,
/// its INTERNATIONAL form; formats, validity, type and region answer without trapping, and a valid
/// number has a region and a type.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPhoneParse(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    guard let first = bytes.first else { return 0 }
    let region = fuzzRegion(first)
    let input = text(bytes.dropFirst())
    guard let number = try? PhoneNumber(parsing: input, defaultRegion: region) else { return 0 }

    let e164 = number.e164
    require(e164.utf8.count <= 1 + 3 + 17, "E.164 of \(input.debugDescription) is too long: \(e164)")
    do {
        let again = try PhoneNumber(parsing: e164, defaultRegion: "ZZ")
        require(
            sameOrPrefixTakenOff(number, again),
            "\(input.debugDescription) (\(region ?? "nil")) parsed as \(e164), which parses as \(again.e164)")
    } catch {
        require(
            false, "\(input.debugDescription) (\(region ?? "nil")) parsed as \(e164), which does not parse: \(error)")
    }

    for format in PhoneNumberFormat.allCases { _ = number.formatted(format) }
    _ = number.formattedNational(carrierCode: "15")
    _ = number.formatted(forCallingFrom: region ?? "ZZ")
    _ = number.isPossible
    let valid = number.isValid
    _ = number.type
    let regionCode = number.regionCode
    if valid {
        require(regionCode != nil, "\(e164) is valid but has no region")
        require(number.type != .unknown, "\(e164) is valid but its type is unknown")
        // A valid number written for people, in either international form, reads back the same.
        // Not an INTERNATIONAL form with an extension: " x" and the extension's digits may pass the
        // parser's length limit ("+44 1624 883456 x12345678901234577" is too long for phonenumbers too).
        for format in number.extension == nil ? [PhoneNumberFormat.international, .rfc3966] : [.rfc3966] {
            let written = number.formatted(format)
            let again = try? PhoneNumber(parsing: written, defaultRegion: "ZZ")
            require(
                again.map { sameOrPrefixTakenOff(number, $0) } ?? false,
                "\(e164) written \(format) as \(written.debugDescription) reads back as \(again?.e164 ?? "an error")")
        }
    }
    return 0
}
