extension UInt8 {
    /// Space, tab, line feed, carriage return, vertical tab or form feed: the white space that
    /// HTTP headers, form values and tokens are trimmed of.
    @inlinable
    public var isASCIIWhitespace: Bool {
        self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D || self == 0x0B || self == 0x0C
    }
}

extension StringProtocol {
    /// The text without ASCII white space at either end.
    public var trimmingASCIIWhitespace: Substring {
        let text = Substring(self)
        let utf8 = text.utf8
        guard let first = utf8.firstIndex(where: { !$0.isASCIIWhitespace }) else { return text[text.endIndex...] }
        let last = utf8.lastIndex(where: { !$0.isASCIIWhitespace })!
        return text[first...last]
    }
}
