import FuzzSupport
import PhoneFuzzSupport
import PhoneNumbers

/// `PhoneNumberMatcher` over free text: the first byte picks the default region, the second the
/// leniency and a try budget, the rest is text. Every match lies inside the text, after the one
/// before it; its raw text is the text of its range and parses, with the same region, to its number;
/// it passes its leniency.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPhoneMatch(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    guard bytes.count >= 2 else { return 0 }
    let region = fuzzRegion(bytes[0])
    let leniency: PhoneNumberLeniency = bytes[1] & 1 == 0 ? .valid : .possible
    // Mostly libphonenumber's budget; sometimes a small one, so that giving up is tried too.
    let maxTries = bytes[1] & 0x0E == 0 ? Int(bytes[1] >> 4) : 65_535
    let input = text(bytes.dropFirst(2))
    let scalars = Array(input.unicodeScalars)

    var previousEnd = 0
    var count = 0
    for match in PhoneNumberMatcher(text: input, defaultRegion: region, leniency: leniency, maxTries: maxTries) {
        let range = match.range
        require(
            range.lowerBound >= 0 && range.upperBound <= scalars.count && !range.isEmpty,
            "match \(range) outside the text of \(scalars.count) scalars: \(input.debugDescription)")
        require(
            range.lowerBound >= previousEnd,
            "match \(range) starts before the previous one ends (\(previousEnd)): \(input.debugDescription)")
        previousEnd = range.upperBound
        var expected = String.UnicodeScalarView()
        expected.append(contentsOf: scalars[range])
        let raw = match.rawString
        require(
            Array(raw.unicodeScalars) == Array(expected),
            "raw text \(raw.debugDescription) is not the text of \(range): \(String(expected).debugDescription)")
        if leniency == .valid {
            require(match.number.isValid, "\(match.number.e164) matched at VALID but is not valid")
        } else {
            require(match.number.isPossible, "\(match.number.e164) matched at POSSIBLE but is not possible")
        }
        // The match's number is its raw text parsed with the matcher's region (libphonenumber's `parse`).
        let parsed = try? PhoneNumber(parsing: raw, defaultRegion: region)
        require(
            parsed == match.number,
            "raw text \(raw.debugDescription) (\(region ?? "nil")) parses as \(parsed?.e164 ?? "an error"), "
                + "the match has \(match.number.e164) ext \(match.number.extension ?? "-")")
        count += 1
        require(count <= scalars.count, "more matches than scalars in \(input.debugDescription)")
    }
    return 0
}
