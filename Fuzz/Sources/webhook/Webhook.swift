import AccountIndex
import AmoCRM
import FuzzSupport

/// `AmoCRMWebhook(decoding:)` on any bytes. A refusal names a place (the key, or a byte offset
/// inside the body); a webhook decoded holds at most `maxElements` updates, all partial, with
/// positive ids, and re-reads each entity it adds, updates or restores once; the body with its
/// brackets percent-encoded (as amoCRM sends them) reads the same.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebhook(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    let answer = Result { () throws(AmoCRMWebhookError) in try AmoCRMWebhook(decoding: bytes) }
    switch answer {
    case .success(let webhook):
        require(webhook.updates.count <= AmoCRMWebhook.maxElements, "\(webhook.updates.count) elements accepted")
        for update in webhook.updates {
            require(!update.isComplete, "a webhook's update of \(update.entity) is complete")
            require(update.entity.id > 0, "an update of \(update.entity) accepted")
        }
        require(Set(webhook.reRead).count == webhook.reRead.count, "an entity re-read twice: \(webhook.reRead)")
        let named = Set(webhook.updates.filter { !$0.isDeleted }.map(\.entity))
        for entity in webhook.reRead {
            require(named.contains(entity), "\(entity) is re-read but no update of it is: \(webhook.updates)")
        }
        if let accountID = webhook.accountID { require(accountID > 0, "account id \(accountID) accepted") }
    case .failure(let error):
        let description = error.description
        require(!description.isEmpty, "an error without a text: \(error.code)")
        require(error.key != nil || error.offset != nil, "an error that names no place: \(description)")
        if let offset = error.offset {
            require(
                offset >= 0 && offset <= bytes.count, "offset \(offset) outside \(bytes.count) bytes: \(description)")
        }
        for offset in byteOffsets(in: description) {
            require(offset <= bytes.count, "byte \(offset) outside \(bytes.count) bytes: \(description)")
        }
    }
    let encoded = Result { () throws(AmoCRMWebhookError) in try AmoCRMWebhook(decoding: bracketsEncoded(bytes)) }
    switch (answer, encoded) {
    case (.success(let a), .success(let b)):
        require(a == b, "the body reads \(a), with its brackets encoded \(b)")
    case (.failure(let a), .failure(let b)):
        require(a.code == b.code && a.key == b.key, "the body is refused with \(a), with its brackets encoded \(b)")
    default:
        require(false, "the body gives \(answer), with its brackets encoded \(encoded)")
    }
    return 0
}
