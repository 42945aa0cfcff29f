/// `body` with every `[` and `]` percent-encoded, as PHP's `http_build_query` writes keys: a form
/// decoder must read it as it reads `body` (both decode to the same keys and values).
public func bracketsEncoded(_ body: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(body.count)
    for byte in body {
        switch byte {
        case UInt8(ascii: "["): out += Array("%5B".utf8)
        case UInt8(ascii: "]"): out += Array("%5D".utf8)
        default: out.append(byte)
        }
    }
    return out
}
