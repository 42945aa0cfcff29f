import FuzzSupport
import PhoneFuzzSupport
import PhoneNumbers

/// `CallerID.lookupNumber(_:defaultRegion:)` on what a PBX might send: the first byte picks the
/// default region, the rest is text. The number found comes back from its E.164 form as
/// libphonenumber gives it back (``sameOrPrefixTakenOff``); a `parsed` or `internationalWithoutPlus`
/// reading is valid, a `foundInText` one at least possible; `empty` means no digit (outside
/// `Name <URI>`, `user@host` and a SIP URI's `;` parameters), and blank text is never a number; and
/// the answer does not depend on white space around the text (which also moves it from the stack
/// buffer of short caller ids to the heap).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCallerID(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    guard let first = bytes.first else { return 0 }
    let region = fuzzRegion(first)
    let input = text(bytes.dropFirst())
    let answer = Result { () throws(CallerID.Error) in try CallerID.lookupNumber(input, defaultRegion: region) }
    let padded = " " + input + String(repeating: " ", count: 300)
    let paddedAnswer = Result { () throws(CallerID.Error) in try CallerID.lookupNumber(padded, defaultRegion: region) }
    require(
        answer == paddedAnswer,
        "\(input.debugDescription) (\(region ?? "nil")) reads \(answer), with white space around it \(paddedAnswer)")

    switch answer {
    case .success(let result):
        let number = result.number
        let again = try? PhoneNumber(parsing: number.e164, defaultRegion: "ZZ")
        require(
            again.map { sameOrPrefixTakenOff(number, $0) } ?? false,
            "\(input.debugDescription) (\(region ?? "nil")) read as \(number.e164), "
                + "which parses as \(again?.e164 ?? "an error")")
        switch result.reading {
        case .parsed, .internationalWithoutPlus:
            require(number.isValid, "\(input.debugDescription) read as \(result.reading) \(number.e164), not valid")
        case .foundInText:
            require(number.isPossible, "\(input.debugDescription) found \(number.e164) in text, not possible")
        case .parsedButInvalid:
            break
        }
    case .failure(let error):
        // `Name <>`, `@host` and `sip:;params` keep an empty URI or user part, digits elsewhere or not.
        let wrapped = input.unicodeScalars.contains { $0 == "<" || $0 == "@" || $0 == ";" }
        if error.code == .empty, !wrapped {
            require(
                !input.unicodeScalars.contains { $0.properties.numericType == .decimal },
                "\(input.debugDescription) has digits but reads as empty")
        }
    }
    let blank = input.unicodeScalars.allSatisfy { $0 == "\"" || $0 == "'" || $0.properties.isWhitespace }
    if blank, case .success(let result) = answer {
        require(false, "\(input.debugDescription) is blank but reads as \(result.number.e164)")
    }
    return 0
}
