import Foundation
import Testing

/// The `screenpop normalize` contract, checked on the real executable.
@Suite struct NormalizeCommandTests {
    @Test func argumentsGiveOneJSONObjectALineWithTheContractFields() throws {
        let result = try CLI.run(["normalize", "--region", "RU", "8 (999) 888-55-33", "12", "1"])
        #expect(result.status == 0)
        #expect(
            result.lines == [
                #"{"input": "8 (999) 888-55-33", "e164": "+79998885533", "error": null, "valid": true, "type": "MOBILE", "region": "RU", "extension": null, "national": "8 (999) 888-55-33", "international": "+7 999 888-55-33", "rfc3966": "tel:+7-999-888-55-33"}"#,
                #"{"input": "12", "e164": "+712", "error": null, "valid": false, "type": "UNKNOWN", "region": null, "extension": null, "national": "12", "international": "+7 12", "rfc3966": "tel:+7-12"}"#,
                #"{"input": "1", "e164": null, "error": "NOT_A_NUMBER", "valid": null, "type": null, "region": null, "extension": null, "national": null, "international": null, "rfc3966": null}"#,
            ])
    }

    @Test(arguments: [
        ("8 (999) 888-55-33", "+79998885533", nil as String?),
        ("+7 (495) 123-45-67 доб 4567", "+74951234567", "4567"),
        ("8 10 49 30 1234567", "+49301234567", nil),
        ("8-800-CALL-NOW", "+78002255669", nil),
        ("＋７ ９９９ ８８８ ５５ ３３", "+79998885533", nil),
    ])
    func russianCRMInputs(input: String, e164: String, ext: String?) throws {
        let object = try #require(try CLI.run(["normalize", "--region", "RU", input]).objects.first)
        #expect(object["input"] as? String == input)
        #expect(object["e164"] as? String == e164)
        #expect(object["extension"] as? String == ext)
        #expect(object["error"] is NSNull)
    }

    /// A region libphonenumber does not know would fail every number (INVALID_COUNTRY_CODE), silently:
    /// it is a usage error that says what a region is.
    @Test(arguments: [
        ["normalize", "--region", "Russia", "8 999 888 55 33"], ["normalize", "--region", "XX", "1"],
        ["normalize", "--region", "", "1"], ["normalize", "--region", "001", "1"],
        ["describe", "--region", "RUS", "1"],
        ["extract", "--region", "Russia", "8 999 888 55 33"],
    ])
    func anUnknownRegionIsAUsageError(_ arguments: [String]) throws {
        let result = try CLI.standardError(arguments)
        #expect(result.status == 64, "\(result.text)")  // EX_USAGE, as every usage error
        #expect(result.text.contains("--region \(arguments[2]) is not a region"), "\(result.text)")
        #expect(result.text.contains("ISO 3166 two-letter code"))
        #expect(result.text.contains("RU, KZ, BY, UA, US, GB, DE"))
        #expect(result.text.contains("ZZ for none"))
    }

    @Test(arguments: ["RU", "ru", "KZ", "US", "GB", "DE", "ZZ", "zz"])
    func knownRegionsAndZZAreAccepted(_ region: String) throws {
        let result = try CLI.run(["normalize", "--region", region, "+7 999 888 55 33"])
        #expect(result.status == 0)
        #expect(result.objects.first?["e164"] as? String == "+79998885533")
    }

    @Test func defaultRegionIsZZ() throws {
        let objects = try CLI.run(["normalize", "8 999 888 55 33", "+7 999 888 55 33"]).objects
        #expect(objects.map { $0["error"] as? String } == ["INVALID_COUNTRY_CODE", nil])
    }

    @Test func standardInputIsReadLineByLineAndInvalidUTF8DoesNotStopTheStream() throws {
        var input = Data("+7 999 888 55 33\r\n".utf8)
        input.append(contentsOf: [0xFF, 0xFE, 0x0A])
        input.append(contentsOf: Data("not a number\n8 800 2000 600".utf8))
        let objects = try CLI.run(["normalize", "--region", "RU"], input: input).objects
        #expect(objects.count == 4)
        #expect(objects[0]["e164"] as? String == "+79998885533")
        #expect(objects[0]["input"] as? String == "+7 999 888 55 33")
        #expect(objects[1]["error"] as? String == "INVALID_UTF8")
        #expect(objects[2]["error"] as? String == "NOT_A_NUMBER")
        #expect(objects[3]["type"] as? String == "TOLL_FREE")
    }

    @Test func tsvLinesCarryTheirOwnRegion() throws {
        let input = Data("US\t(650) 253-0000\nRU\t8 (999) 888-55-33\nGB\t020 7031 3000 ext. 12\nno tab here\n".utf8)
        let objects = try CLI.run(["normalize", "--tsv"], input: input).objects
        #expect(objects.map { $0["e164"] as? String } == ["+16502530000", "+79998885533", "+442070313000", nil])
        #expect(objects[2]["extension"] as? String == "12")
        #expect(objects[2]["national"] as? String == "020 7031 3000 x12")  // GB's own extension prefix
        #expect(objects[2]["rfc3966"] as? String == "tel:+44-20-7031-3000;ext=12")
        #expect(objects[3]["error"] as? String == "MISSING_TAB")
        #expect(objects[3]["national"] is NSNull)
    }

    @Test func outputIsStreamedBeforeInputEnds() throws {
        let process = Process()
        process.executableURL = try CLI.executable()
        process.arguments = ["normalize", "--region", "RU"]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        defer { process.terminate() }
        stdin.fileHandleForWriting.write(Data("8 999 888 55 33\n".utf8))
        // The answer to the first line must arrive while standard input is still open.
        var received = Data()
        while !received.contains(UInt8(ascii: "\n")) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            received.append(chunk)
        }
        #expect(String(decoding: received, as: UTF8.self).contains("+79998885533"))
        try stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test func controlCharactersAndQuotesAreEscapedInJSON() throws {
        let objects = try CLI.run(["normalize", "tel:\"+7\u{1}\\"]).objects
        #expect(objects.first?["input"] as? String == "tel:\"+7\u{1}\\")
    }

    /// The line writer copies eight bytes at a time until one needs an escape: escapes at every
    /// offset of a word, and non-ASCII text, must come out as the JSON writer writes them.
    @Test func escapesAtEveryOffsetAndNonASCIIRoundTrip() throws {
        let inputs = (0..<20).map { k in
            String(repeating: "7", count: k) + "\"\u{1}\\\u{7F}\t" + String(repeating: "9", count: k) + " доб é"
        }
        let lines = inputs.map { "RU\t" + $0.replacingOccurrences(of: "\t", with: " ") }
        let result = try CLI.run(["normalize", "--tsv"], input: Data((lines.joined(separator: "\n") + "\n").utf8))
        #expect(result.objects.map { $0["input"] as? String } == lines.map { String($0.dropFirst(3)) })
        // The exact text of a line: the contract's members, in order, in the spaced style.
        let one = try CLI.run(["normalize", "--tsv"], input: Data("RU\t8 999 888-55-33\n".utf8))
        #expect(
            one.output
                == #"{"input": "8 999 888-55-33", "e164": "+79998885533", "error": null, "valid": true, "type": "MOBILE", "region": "RU", "extension": null, "national": "8 (999) 888-55-33", "international": "+7 999 888-55-33", "rfc3966": "tel:+7-999-888-55-33"}"#
                + "\n")
    }
}

enum CLI {
    struct Result {
        let status: Int32
        let output: String
        var lines: [String] { output.split(separator: "\n").map(String.init) }
        var objects: [[String: Any]] {
            lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }
    }

    /// The `screenpop` binary built next to the test bundle.
    static func executable() throws -> URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
        ]
        for directory in candidates {
            let url = directory.appendingPathComponent("screenpop")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw CLIError(description: "screenpop executable not found near \(candidates)")
    }

    struct CLIError: Error, CustomStringConvertible { let description: String }

    /// The exit status and standard error of a command (its output dropped): for usage errors.
    static func standardError(_ arguments: [String]) throws -> (status: Int32, text: String) {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("screenpop-stderr-\(UUID())")
        FileManager.default.createFile(atPath: file.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: file) }
        let handle = try FileHandle(forWritingTo: file)
        process.standardError = handle
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, try String(contentsOf: file, encoding: .utf8))
    }

    static func run(_ arguments: [String], input: Data = Data()) throws -> Result {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}
