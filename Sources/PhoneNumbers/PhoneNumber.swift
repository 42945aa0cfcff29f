/// A phone number in its canonical form: a country calling code, a national significant number and
/// an optional extension, as libphonenumber's `PhoneNumber` holds it after `parse`.
///
/// Two inputs that denote the same number, whatever their format, parse to equal values:
///
/// ```swift
/// let a = try PhoneNumber(parsing: "8 (999) 888-55-33", defaultRegion: "RU")
/// let b = try PhoneNumber(parsing: "+7 999 888 55 33")
/// assert(a == b && a.e164 == "+79998885533")
/// ```
///
/// The value is small (no heap storage unless it has an extension) and `Sendable`.
public struct PhoneNumber: Hashable, Sendable {
    @usableFromInline
    let storedCountryCode: UInt16
    /// The digits of the national significant number as an integer; `nationalNumberLength` keeps
    /// the leading zeros (Italy's "Italian leading zero").
    @usableFromInline
    let nationalNumber: UInt64
    @usableFromInline
    let nationalNumberLength: UInt8

    /// The extension, exactly as its digits were written (they may be non-ASCII digits), or nil.
    public let `extension`: String?

    @usableFromInline
    init(countryCode: Int, nationalNumber: UInt64, nationalNumberLength: Int, extension: String?) {
        self.storedCountryCode = UInt16(truncatingIfNeeded: countryCode)
        self.nationalNumber = nationalNumber
        self.nationalNumberLength = UInt8(truncatingIfNeeded: nationalNumberLength)
        self.extension = `extension`
    }

    /// The country calling code, such as 7 for Russia and Kazakhstan or 1 for the NANPA countries.
    @inlinable
    public var countryCode: Int { Int(storedCountryCode) }

    /// The national significant number: the digits after the country calling code, with any
    /// leading zeros that belong to it (as in Italy), and no national (trunk) prefix.
    public var nationalSignificantNumber: String {
        withNationalDigits { String(decoding: $0, as: UTF8.self) }
    }

    /// The number in E.164 format, `+` followed by the country calling code and the national
    /// significant number, without the extension: `+79998885533`.
    ///
    /// - Complexity: O(1); no heap allocation for numbers of up to 15 characters.
    public var e164: String {
        String(unsafeUninitializedCapacity: e164Length) { writeE164(into: $0) }
    }

    /// `+`, the calling code's digits and the national number's.
    @inline(__always)
    private var e164Length: Int {
        let ccDigits = storedCountryCode >= 100 ? 3 : (storedCountryCode >= 10 ? 2 : 1)
        return 1 + ccDigits + Int(nationalNumberLength)
    }

    /// Calls `body` with the E.164 form's bytes, written on the stack.
    func withE164<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buffer in
            body(UnsafeBufferPointer(rebasing: buffer[..<writeE164(into: buffer)]))
        }
    }

    /// Writes the E.164 form into `buffer` (room for at least 21 bytes) and returns its length.
    @inline(__always)
    private func writeE164(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let ccDigits = storedCountryCode >= 100 ? 3 : (storedCountryCode >= 10 ? 2 : 1)
        let length = e164Length
        buffer[0] = UInt8(ascii: "+")
        var cc = storedCountryCode
        for i in stride(from: ccDigits, through: 1, by: -1) {
            buffer[i] = UInt8(truncatingIfNeeded: cc % 10) &+ 48
            cc /= 10
        }
        var value = nationalNumber
        var i = length - 1
        while i > ccDigits {
            buffer[i] = UInt8(truncatingIfNeeded: value % 10) &+ 48
            value /= 10
            i -= 1
        }
        return length
    }

    /// Calls `body` with the national significant number as ASCII digits, without allocating.
    @usableFromInline
    func withNationalDigits<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for 24 digits; at most 17 are used
        return withUnsafeMutableBytes(of: &digits) { raw in
            let count = Int(nationalNumberLength)
            var value = nationalNumber
            var i = count
            // Two digits a step (the matcher and validation ask for them for every number).
            let pairs = Self.digitPairs.utf8Start
            while i >= 2 {
                let pair = Int(truncatingIfNeeded: value % 100) &* 2
                value /= 100
                raw[i - 1] = pairs[pair &+ 1]
                raw[i - 2] = pairs[pair]
                i -= 2
            }
            if i == 1 { raw[0] = UInt8(truncatingIfNeeded: value % 10) &+ 48 }
            return body(UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count))
        }
    }

    /// "00" to "99", for `withNationalDigits`.
    private static var digitPairs: StaticString {
        """
        0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849\
        5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899
        """
    }
}

extension PhoneNumber: CustomStringConvertible {
    /// The E.164 form, with `;ext=` and the extension when there is one.
    public var description: String {
        guard let ext = self.extension else { return e164 }
        return e164 + ";ext=" + ext
    }
}
