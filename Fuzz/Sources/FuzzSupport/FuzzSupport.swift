/// What every fuzz target shares: a failed property is a crash, so that libFuzzer keeps the input.

/// Stops the run with `message` when `condition` is false; libFuzzer saves the input as a crash.
@inlinable
public func require(
    _ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line
) {
    if !condition { fatalError("property failed: " + message(), file: file, line: line) }
}

/// The input as bytes.
public func inputBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// Text from bytes as a server reads it: invalid UTF-8 becomes U+FFFD.
public func text(_ bytes: ArraySlice<UInt8>) -> String {
    String(decoding: bytes, as: UTF8.self)
}

/// The byte offsets written as "byte N" in an error's text, so that they can be checked against the input.
public func byteOffsets(in message: String) -> [Int] {
    var offsets: [Int] = []
    let scalars = Array(message.utf8)
    let marker = Array("byte ".utf8)
    var i = 0
    while i + marker.count <= scalars.count {
        if scalars[i..<(i + marker.count)].elementsEqual(marker) {
            var j = i + marker.count
            var value = 0
            var digits = 0
            while j < scalars.count, scalars[j] >= 48, scalars[j] <= 57, digits < 18 {
                value = value * 10 + Int(scalars[j] - 48)
                digits += 1
                j += 1
            }
            if digits > 0 { offsets.append(value) }
            i = j
        } else {
            i += 1
        }
    }
    return offsets
}
