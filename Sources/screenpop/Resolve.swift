import AccountIndex
import AmoCRM
import ArgumentParser
import ScreenPopJSON
import ScreenPopSupport

/// `screenpop resolve`: what the call notification shows for each caller number (docs/cli.md).
struct Resolve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Resolve incoming calls against an amoCRM account directory.",
        discussion: """
            Loads the account (a directory of amoCRM API v4 JSON pages, docs/amocrm.md, or a store made by \
            `screenpop import`), then resolves \
            each PHONE, or else each line of standard input (streamed), to one JSON object a line: phone_number, \
            e164, element_type, element_id, action, reason, match, entity, candidates.
            """
    )

    @OptionGroup var source: AccountSource

    @Option(
        help: ArgumentHelp(
            "Match on the last N digits when nothing matches exactly (6...15; default 10).", valueName: "N"))
    var fallbackDigits: Int?

    @Flag(help: "Match exact numbers only.")
    var noFallback = false

    @Argument(help: "Caller numbers as telephony sends them. Without any, standard input is read, one a line.")
    var phones: [String] = []

    func validate() throws {
        if noFallback && fallbackDigits != nil {
            throw ValidationError("--fallback-digits and --no-fallback cannot be used together.")
        }
        if let digits = fallbackDigits, !SuffixFallback.digitRange.contains(digits) {
            throw ValidationError("--fallback-digits must be between 6 and 15.")
        }
    }

    func run() async throws {
        let fallback = SuffixFallback(isEnabled: !noFallback, digits: fallbackDigits ?? 10)
        let index: AccountIndex
        do {
            let loaded = try await source.load(suffixFallback: fallback, progress: .automatic)
            index = await AccountIndex.building(loaded.data, parallelism: AccountDirectory.processorCount)
        } catch {
            StandardError.write("screenpop: error: \(error)\n")
            throw ExitCode.failure
        }
        let resolveOptions = ResolveOptions(suffixFallback: noFallback ? false : nil)
        var output = OutputBuffer()
        if !phones.isEmpty {
            for phone in phones {
                Self.writeResult(index.resolve(callerNumber: phone, options: resolveOptions), for: phone, to: &output)
            }
            output.flush()
            return
        }
        var reader = LineReader(fileDescriptor: 0)
        while let line = reader.next(beforeBlocking: { output.flush() }) {
            guard let text = line.text else {
                Self.writeInvalidLine(line.lossyText, to: &output)
                continue
            }
            Self.writeResult(index.resolve(callerNumber: text, options: resolveOptions), for: text, to: &output)
        }
        output.flush()
        if let failure = reader.failure { throw failure }
    }

    // MARK: Output

    static func writeResult(_ resolution: Resolution, for phone: String, to output: inout OutputBuffer) {
        let decision = resolution.decision
        output.beginObject()
        output.field("phone_number", phone)
        output.field("e164", resolution.e164)
        output.field("element_type", decision.elementType)
        output.field("element_id", decision.elementID)
        output.field("action", decision.target.action.rawValue)
        output.field("reason", resolution.explanation)
        output.field("rule", decision.reason.rule.name)
        output.field("match", decision.matchLevel.name)
        output.field("match_digits", decision.matchLevel.suffixDigits)
        if let chosen = decision.chosen {
            output.field("entity") { entity(chosen.entity, to: &$0) }
        } else {
            output.null("entity")
        }
        output.field("candidates") { json in
            json.beginArray()
            for candidate in decision.candidates { entity(candidate.entity, to: &json) }
            json.endArray()
        }
        output.field("fallback_skipped", decision.suffixFallbackSkipped?.name)
        output.endRecord()
        output.flushIfLarge()
    }

    /// A line of standard input that is not UTF-8: no number can be read from it.
    static func writeInvalidLine(_ lossy: String, to output: inout OutputBuffer) {
        output.beginObject()
        output.field("phone_number", lossy)
        output.null("e164")
        output.null("element_type")
        output.null("element_id")
        output.field("action", CallAction.createContact.rawValue)
        output.field("reason", "Unreadable number: the line is not valid UTF-8; create a contact.")
        output.field("rule", CallTargetDecision.Reason.Rule.unreadableNumber.name)
        output.field("match", MatchLevel.none.name)
        output.null("match_digits")
        output.null("entity")
        output.field("candidates") { json in
            json.beginArray()
            json.endArray()
        }
        output.null("fallback_skipped")
        output.endRecord()
        output.flushIfLarge()
    }

    /// `{"type": 1, "id": 42}`
    static func entity(_ entity: EntityRef, to json: inout JSONWriter) {
        json.beginObject()
        json.key("type")
        json.integer(entity.kind.elementType)
        json.key("id")
        json.integer(entity.id)
        json.endObject()
    }
}
