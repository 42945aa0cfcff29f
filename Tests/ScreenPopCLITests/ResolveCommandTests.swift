import Foundation
import Testing

/// The `screenpop resolve` contract, checked on the real executable against `Examples/demo-account`.
@Suite struct ResolveCommandTests {
    static let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/demo-account").path

    @Test func oneJSONObjectALineWithTheContractKeysInOrder() throws {
        let result = try CLI.run([
            "resolve", "--account", Self.demo, "8 (916) 123-45-67", "+7 495 123 45 67", "+7 916 000-11-22", "anonymous",
        ])
        #expect(result.status == 0)
        #expect(
            result.lines == [
                #"{"phone_number": "8 (916) 123-45-67", "e164": "+79161234567", "element_type": 2, "element_id": 31000001, "action": "open_lead", "reason": "One active lead: contact 21000001 has 1 active lead and 0 open customers.", "rule": "single_active_lead", "match": "exact", "match_digits": null, "entity": {"type": 1, "id": 21000001}, "candidates": [{"type": 1, "id": 21000001}], "fallback_skipped": null}"#,
                #"{"phone_number": "+7 495 123 45 67", "e164": "+74951234567", "element_type": 1, "element_id": 21000009, "action": "open_contact", "reason": "No linked entities: contact 21000009 has 0 active leads and 0 open customers; chosen over 1 other candidate (contacts first, then the oldest).", "rule": "no_linked_entities", "match": "exact", "match_digits": null, "entity": {"type": 1, "id": 21000009}, "candidates": [{"type": 1, "id": 21000009}, {"type": 3, "id": 51000001}], "fallback_skipped": null}"#,
                #"{"phone_number": "+7 916 000-11-22", "e164": "+79160001122", "element_type": null, "element_id": null, "action": "create_contact", "reason": "No match: no contact or company has +79160001122; create a contact.", "rule": "no_match", "match": "none", "match_digits": null, "entity": null, "candidates": [], "fallback_skipped": null}"#,
                #"{"phone_number": "anonymous", "e164": null, "element_type": null, "element_id": null, "action": "create_contact", "reason": "Unreadable number: no phone number could be read from the text (no_number); create a contact.", "rule": "unreadable_number", "match": "none", "match_digits": null, "entity": null, "candidates": [], "fallback_skipped": null}"#,
            ])
    }

    struct Call: CustomTestStringConvertible, Sendable {
        let phone: String
        let action: String
        let element: (type: Int, id: Int)?
        let match: String
        let entity: (type: Int, id: Int)?
        let reason: String
        var testDescription: String { "\(phone) → \(action)" }
    }

    /// Examples/demo-account/README.md's table: every rule of the decision.
    static let calls: [Call] = [
        Call(
            phone: "+7 916 123-45-67", action: "open_lead", element: (2, 31_000_001), match: "exact",
            entity: (1, 21_000_001), reason: "One active lead: contact 21000001 has 1 active lead and 0 open customers."
        ),
        Call(
            phone: "sip:89161234567@pbx.okna-plus.ru", action: "open_lead", element: (2, 31_000_001), match: "exact",
            entity: (1, 21_000_001), reason: "One active lead"),
        Call(
            phone: "+7 903 765-43-21", action: "open_lead", element: (2, 31_000_003), match: "exact",
            entity: (1, 21_000_002), reason: "has 1 active lead and 0 open customers"),
        Call(
            phone: "89261112233", action: "open_lead", element: (2, 31_000_007), match: "exact",
            entity: (1, 21_000_003), reason: "One active lead"),
        Call(
            phone: "+7 985 222-33-44", action: "open_customer", element: (12, 41_000_001), match: "exact",
            entity: (1, 21_000_004), reason: "One customer: contact 21000004 has 0 active leads and 1 open customer."),
        Call(
            phone: "+7 915 444-55-66", action: "open_customer", element: (12, 41_000_003), match: "exact",
            entity: (1, 21_000_005), reason: "One customer"),
        Call(
            phone: "+7 926 555-66-77", action: "open_contact", element: (1, 21_000_006), match: "exact",
            entity: (1, 21_000_006),
            reason: "Several linked entities: contact 21000006 has 2 active leads and 0 open customers."),
        Call(
            phone: "+7 977 888-99-00", action: "open_contact", element: (1, 21_000_007), match: "exact",
            entity: (1, 21_000_007),
            reason: "Several linked entities: contact 21000007 has 1 active lead and 1 open customer."),
        Call(
            phone: "+7 999 101-20-30", action: "open_contact", element: (1, 21_000_008), match: "exact",
            entity: (1, 21_000_008), reason: "No linked entities"),
        Call(
            phone: "+7 495 123-45-67", action: "open_contact", element: (1, 21_000_009), match: "exact",
            entity: (1, 21_000_009), reason: "chosen over 1 other candidate"),
        Call(
            phone: "+7 916 777-88-99", action: "open_lead", element: (2, 31_000_013), match: "exact",
            entity: (1, 21_000_010), reason: "chosen over 1 other candidate"),
        Call(
            phone: "+380 67 123 4567", action: "open_lead", element: (2, 31_000_018), match: "suffix",
            entity: (1, 21_000_012), reason: "matched on the last 10 digits only"),
        Call(
            phone: "+49 30 1234567", action: "open_contact", element: (1, 21_000_013), match: "suffix",
            entity: (1, 21_000_013), reason: "matched on the last 10 digits only"),
        Call(
            phone: "+7 812 600-70-80", action: "open_company", element: (3, 51_000_002), match: "exact",
            entity: (3, 51_000_002), reason: "Several linked entities: company 51000002 has 2 active leads"),
        Call(
            phone: "+7 921 999-88-77", action: "create_contact", element: nil, match: "none", entity: nil,
            reason: "No match"),
        Call(
            phone: "+7 499 346-12-90", action: "create_contact", element: nil, match: "none", entity: nil,
            reason: "No match"),
        Call(
            phone: "+7 916 000-11-22", action: "create_contact", element: nil, match: "none", entity: nil,
            reason: "No match"),
    ]

    @Test func everyRuleOfTheDecision() throws {
        let result = try CLI.run(["resolve", "--account", Self.demo] + Self.calls.map(\.phone))
        #expect(result.status == 0)
        let objects = result.objects
        try #require(objects.count == Self.calls.count)
        for (call, object) in zip(Self.calls, objects) {
            #expect(object["phone_number"] as? String == call.phone)
            #expect(object["action"] as? String == call.action, "\(call.phone)")
            #expect(object["match"] as? String == call.match, "\(call.phone)")
            #expect(
                (object["reason"] as? String)?.contains(call.reason) == true, "\(call.phone): \(object["reason"] ?? "")"
            )
            if let element = call.element {
                #expect(object["element_type"] as? Int == element.type, "\(call.phone)")
                #expect(object["element_id"] as? Int == element.id, "\(call.phone)")
            } else {
                #expect(object["element_type"] is NSNull)
                #expect(object["element_id"] is NSNull)
            }
            if let entity = call.entity {
                let json = object["entity"] as? [String: Int]
                #expect(json == ["type": entity.type, "id": entity.id], "\(call.phone)")
                let first = (object["candidates"] as? [[String: Int]])?.first
                #expect(first == json, "the chosen candidate comes first")
            } else {
                #expect(object["entity"] is NSNull)
                #expect((object["candidates"] as? [Any])?.isEmpty == true)
            }
        }
    }

    @Test func standardInputIsReadLineByLine() throws {
        var input = Data("+79161234567\r\n\n".utf8)
        input.append(contentsOf: [0xFF, 0x0A])
        input.append(contentsOf: Data("+7 812 600-70-80".utf8))
        let objects = try CLI.run(["resolve", "--account", Self.demo], input: input).objects
        #expect(objects.count == 4)
        #expect(
            objects.map { $0["action"] as? String } == [
                "open_lead", "create_contact", "create_contact", "open_company",
            ])
        #expect(objects[0]["phone_number"] as? String == "+79161234567")
        #expect(
            objects[1]["reason"] as? String
                == "Unreadable number: no phone number could be read from the text (empty); create a contact.")
        #expect(objects[2]["reason"] as? String == "Unreadable number: the line is not valid UTF-8; create a contact.")
        #expect(objects[2]["phone_number"] as? String == "\u{FFFD}")
    }

    @Test func noFallbackMatchesExactNumbersOnly() throws {
        let objects = try CLI.run([
            "resolve", "--account", Self.demo, "--no-fallback", "+49 30 1234567", "+380671234567", "+79161234567",
        ]).objects
        #expect(objects.map { $0["action"] as? String } == ["create_contact", "create_contact", "open_lead"])
        #expect(objects.map { $0["match"] as? String } == ["none", "none", "exact"])
    }

    @Test func fallbackDigitsSetsTheSuffixLength() throws {
        let seven = try CLI.run(["resolve", "--account", Self.demo, "--fallback-digits", "7", "+7 499 346-12-90"])
        #expect(seven.status == 0)
        #expect(
            seven.lines == [
                #"{"phone_number": "+7 499 346-12-90", "e164": "+74993461290", "element_type": 1, "element_id": 21000015, "action": "open_contact", "reason": "No linked entities: contact 21000015 has 0 active leads and 0 open customers; matched on the last 7 digits only.", "rule": "no_linked_entities", "match": "suffix", "match_digits": 7, "entity": {"type": 1, "id": 21000015}, "candidates": [{"type": 1, "id": 21000015}], "fallback_skipped": null}"#
            ])
        // Twelve digits are more than the Ukrainian number stored without its country code shares.
        let twelve = try CLI.run(["resolve", "--account", Self.demo, "--fallback-digits", "12", "+380671234567"])
            .objects
        #expect(twelve.first?["action"] as? String == "create_contact")
    }

    @Test(arguments: [
        ["--fallback-digits", "5", "1"], ["--fallback-digits", "16", "1"],
        ["--no-fallback", "--fallback-digits", "8", "1"],
    ])
    func badFallbackOptionsAreUsageErrors(arguments: [String]) throws {
        let result = try CLI.runCapturingErrors(["resolve", "--account", Self.demo] + arguments)
        #expect(result.status == 64)
        #expect(result.output.isEmpty)
    }

    @Test func aBadAccountDirectoryExitsNonZeroNamingTheFileAndPath() throws {
        let directory = NSTemporaryDirectory() + "resolve-bad-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.demo) where name.hasSuffix(".json") {
            try FileManager.default.copyItem(atPath: Self.demo + "/" + name, toPath: directory + "/" + name)
        }
        // The third contact's id becomes a string.
        let file = directory + "/contacts-page-1.json"
        var text = try String(contentsOfFile: file, encoding: .utf8)
        text = text.replacingOccurrences(of: #""id": 21000003,"#, with: #""id": "21000003","#)
        try text.write(toFile: file, atomically: true, encoding: .utf8)

        let result = try CLI.runCapturingErrors(["resolve", "--account", directory, "+79161234567"])
        #expect(result.status != 0)
        #expect(result.output.isEmpty)
        #expect(result.errors.contains("\(file):"))
        #expect(result.errors.contains("$._embedded.contacts[2].id: expected an integer, found a string"))

        let missing = try CLI.runCapturingErrors(["resolve", "--account", directory + "/nowhere", "+79161234567"])
        #expect(missing.status != 0)
        #expect(missing.errors.contains("\(directory)/nowhere: cannot open the account directory"))
    }
}

extension CLI {
    struct ResultWithErrors {
        let status: Int32
        let output: String
        let errors: String
    }

    /// Runs `screenpop` with no input, capturing standard output and standard error; `environment`
    /// adds to (or replaces in) this process's environment.
    static func runCapturingErrors(_ arguments: [String], environment: [String: String] = [:]) throws
        -> ResultWithErrors
    {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ResultWithErrors(
            status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
            errors: String(decoding: errors, as: UTF8.self))
    }
}
