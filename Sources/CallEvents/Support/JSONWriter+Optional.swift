import ScreenPopJSON

extension JSONWriter {
    /// An integer, or `null` for nil.
    mutating func integer(orNull value: Int?) {
        if let value { integer(value) } else { null() }
    }

    /// A string, or `null` for nil.
    mutating func string(orNull value: String?) {
        if let value { string(value) } else { null() }
    }
}
