import CallEvents
import FuzzSupport

/// The limits every input is decoded with: the defaults, and small ones that inputs of a few
/// hundred bytes can pass.
public let fuzzLimits = [CallEventsLimits(), CallEventsLimits(maxEvents: 3, maxUsersPerEvent: 4)]

/// What a decoded request promises: events within the limits, each a `phone_call` with a number of at
/// most 250 scalars and user ids that are not negative.
public func checkAccepted(_ request: CallEventsRequest, _ limits: CallEventsLimits, _ input: [UInt8]) {
    let events = request.events
    require(
        !events.isEmpty && events.count <= limits.maxEvents,
        "\(events.count) events accepted with a limit of \(limits.maxEvents): \(text(input[...]).debugDescription)")
    for event in events {
        require(event.type == .phoneCall, "an event of type \(event.type) accepted")
        require(
            event.phoneNumber.unicodeScalars.count <= CallEvent.maxPhoneNumberLength,
            "a phone_number of \(event.phoneNumber.unicodeScalars.count) scalars accepted")
        if let users = event.users {
            require(!users.isEmpty, "an empty users list kept instead of nil (every user)")
            require(
                users.count <= limits.maxUsersPerEvent,
                "\(users.count) users accepted with a limit of \(limits.maxUsersPerEvent)")
            require(users.allSatisfy { $0 >= 0 }, "a negative user id accepted: \(users)")
        }
    }
}

/// What a refusal promises: a place (the path of the member at fault, or for errors of the whole body
/// a detail whose byte offsets lie inside the body), and a message that says it.
public func checkRefused(_ error: CallEventsError, _ input: [UInt8]) {
    let message = error.message
    require(!message.isEmpty, "an error without a message: \(error.code)")
    if let path = error.path {
        require(message.contains(path), "the message does not name \(path): \(message)")
        if let index = error.index { require(path.hasPrefix("add[\(index)]"), "index \(index) but path \(path)") }
    } else {
        require(
            error.code == .malformedBody || error.code == .invalidField,
            "a \(error.code) error of no member: \(message)")
        require(error.detail != nil, "a body error without detail: \(message)")
    }
    for offset in byteOffsets(in: message) {
        require(
            offset >= 0 && offset <= input.count, "byte \(offset) outside a body of \(input.count) bytes: \(message)")
    }
    if error.code == .malformedBody {
        // The JSON reader and the form decoder both say where: a byte offset, or the form's key
        // itself (`the key "add[x" is not ...`, `the event index in "add[a][type]" ...`).
        require(!byteOffsets(in: message).isEmpty || message.contains("\"add"), "no place in \(message)")
    }
}

/// The request as a JSON body written plainly (the encoder of the JavaScript example).
public func jsonBody(of request: CallEventsRequest) -> [UInt8] {
    var out = "{\"add\":["
    for (i, event) in request.events.enumerated() {
        if i > 0 { out += "," }
        out += "{\"type\":\"phone_call\",\"phone_number\":" + jsonString(event.phoneNumber)
        if let users = event.users { out += ",\"users\":[" + users.map(String.init).joined(separator: ",") + "]" }
        out += "}"
    }
    return Array((out + "]}").utf8)
}

/// The request as a form body, as PHP's `http_build_query` writes it (brackets encoded).
public func formBody(of request: CallEventsRequest) -> [UInt8] {
    var pairs: [String] = []
    for (i, event) in request.events.enumerated() {
        pairs.append(percentEncoded("add[\(i)][type]") + "=phone_call")
        pairs.append(percentEncoded("add[\(i)][phone_number]") + "=" + percentEncoded(event.phoneNumber))
        for (k, user) in (event.users ?? []).enumerated() {
            pairs.append(percentEncoded("add[\(i)][users][\(k)]") + "=\(user)")
        }
    }
    return Array(pairs.joined(separator: "&").utf8)
}

func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\u{0}"..."\u{1F}":
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

func percentEncoded(_ text: String) -> String {
    let hex = Array("0123456789ABCDEF".utf8)
    var out: [UInt8] = []
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
            out.append(byte)
        case UInt8(ascii: " "): out.append(UInt8(ascii: "+"))
        default: out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
        }
    }
    return String(decoding: out, as: UTF8.self)
}

/// Equality with phone numbers byte for byte (`==` of `String` identifies canonically equivalent texts).
public func identical(_ a: CallEventsRequest, _ b: CallEventsRequest) -> Bool {
    a.events.count == b.events.count
        && zip(a.events, b.events).allSatisfy {
            $0.type == $1.type && Array($0.phoneNumber.utf8) == Array($1.phoneNumber.utf8) && $0.users == $1.users
        }
}

/// Decodes `body` both ways and checks that a request read from one encoding, written in either,
/// reads back the same.
public func checkRoundTrips(_ request: CallEventsRequest, _ limits: CallEventsLimits) {
    for (name, body) in [("JSON", jsonBody(of: request)), ("form", formBody(of: request))] {
        do {
            let again =
                name == "JSON"
                ? try CallEventsRequest(json: body, limits: limits)
                : try CallEventsRequest(form: body, limits: limits)
            require(identical(again, request), "\(request) written as \(name) reads back as \(again)")
        } catch {
            require(false, "\(request) written as \(name) (\(text(body[...]).debugDescription)) is refused: \(error)")
        }
    }
}
