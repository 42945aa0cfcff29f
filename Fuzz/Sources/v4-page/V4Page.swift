import AccountIndex
import AmoCRM
import FuzzSupport
import ScreenPopJSON

/// amoCRM v4 pages (`APIAnswer.page`, the page reader the API client and the account directory
/// share) and the account object (`APIAnswer.account`) on any bytes. A refusal names the source and
/// a place inside the body; an accepted page reads the same from the compact text of its JSON; and
/// an accepted page, put together into an account and written again by `PageWriter`, reads back as
/// the same account.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzV4Page(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    for isAccount in [false, true] {
        let answer = decode(bytes, isAccount: isAccount)
        switch answer {
        case .success(let page):
            require(page.bytes == bytes.count, "a page of \(bytes.count) bytes says \(page.bytes)")
            require(isAccount == (page.account != nil), "account object: \(page.account.debugDescription)")
            for update in page.updates {
                require(update.entity.id > 0 && update.isComplete, "a page's update of \(update.entity)")
            }
            checkCompactText(bytes, page, isAccount: isAccount)
            if !isAccount { checkWrittenAgain(page) }
        case .failure(let error):
            require(error.file == "fuzz", "an error of another source: \(error)")
            require(!error.description.isEmpty, "an error without a text")
            if let offset = error.offset {
                require(offset >= 0 && offset <= bytes.count, "offset \(offset) outside \(bytes.count) bytes: \(error)")
            } else {
                require(false, "an error without a place: \(error)")
            }
        }
    }
    return 0
}

func decode(_ bytes: [UInt8], isAccount: Bool) -> Result<APIAnswer, AccountLoadError> {
    bytes.withUnsafeBytes { body in
        Result { () throws(AccountLoadError) in
            isAccount ? try APIAnswer.account(body, source: "fuzz") : try APIAnswer.page(body, source: "fuzz")
        }
    }
}

/// The same JSON written compactly (`JSONValue`'s writer) decodes to the same page.
func checkCompactText(_ bytes: [UInt8], _ page: APIAnswer, isAccount: Bool) {
    guard let value = try? JSONValue(parsing: bytes) else {
        require(false, "a page is accepted that JSONValue refuses")
        return
    }
    switch decode(Array(value.jsonText.utf8), isAccount: isAccount) {
    case .success(let again):
        require(
            again.updates == page.updates && again.users == page.users
                && again.customerStatuses == page.customerStatuses && again.pipelines == page.pipelines
                && again.nextPage == page.nextPage && again.account == page.account
                && again.itemCount == page.itemCount,
            "the page reads differently from its compact text \(value.jsonText.prefix(300))")
    case .failure(let error):
        require(false, "the compact text of an accepted page is refused: \(error)")
    }
}

/// An account of the page (and a plain account object), written as pages by `PageWriter` and read
/// again, is the same account.
func checkWrittenAgain(_ page: APIAnswer) {
    let accountText = Array(#"{"id":1,"subdomain":"fuzz","country":"RU","customers_mode":"segments"}"#.utf8)
    guard case .success(let accountAnswer) = decode(accountText, isAccount: true) else {
        require(false, "the plain account object is refused")
        return
    }
    guard let loaded = try? AccountDirectory.assemble([page, accountAnswer], source: "fuzz") else {
        require(false, "a page and an account object do not assemble")
        return
    }
    let files = PageWriter.files(
        of: loaded.data, details: loaded.details, account: loaded.account, customerStatuses: loaded.customerStatuses,
        users: loaded.users, pipelines: loaded.pipelines)
    var answers: [APIAnswer] = []
    for file in files {
        switch decode(file.bytes, isAccount: file.name == "account.json") {
        case .success(let answer): answers.append(answer)
        case .failure(let error): require(false, "PageWriter's \(file.name) is refused: \(error)")
        }
    }
    guard let again = try? AccountDirectory.assemble(answers, source: "fuzz") else {
        require(false, "the written account does not assemble")
        return
    }
    // The links' order is the order of the files they are read from, which the writer changes (it
    // lists each link from both of its ends): the links are compared as a multiset.
    var reordered = again.data
    reordered.links = loaded.data.links
    require(reordered == loaded.data, "the account's entities differ once written: \(loaded.data) vs \(again.data)")
    require(
        again.data.links.count == loaded.data.links.count && Set(again.data.links) == Set(loaded.data.links),
        "the account's links differ once written: \(loaded.data.links) vs \(again.data.links)")
    require(again.details == loaded.details, "the account's details differ once written")
    require(again.account == loaded.account, "the account object differs once written")
    require(again.users == loaded.users, "the users differ once written")
    require(again.customerStatuses == loaded.customerStatuses, "the customer statuses differ once written")
    require(again.pipelines == loaded.pipelines, "the pipelines differ once written")
}
