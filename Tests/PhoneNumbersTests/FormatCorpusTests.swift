import Foundation
import Testing

@testable import PhoneNumbers

/// Checks every line of the formatting corpus (`scripts/make-format-corpus.py`, from PyPI
/// `phonenumbers` at the pinned version): NATIONAL, INTERNATIONAL, RFC3966, the number as dialled
/// from another region, and NATIONAL with a carrier code.
@Suite struct FormatCorpusTests {
    @Test func everyLineAgreesWithTheReference() throws {
        let text = String(decoding: try Data(contentsOf: GoldenCorpus.fixtureURL("format-corpus.tsv")), as: UTF8.self)
        var failures: [String] = []
        var checked = 0
        var lineNumber = 0
        for line in text.split(separator: "\n") {
            lineNumber += 1
            if line.hasPrefix("#") { continue }
            let columns = try line.split(separator: "\t", omittingEmptySubsequences: false).map {
                try GoldenCorpus.unescape($0, line: lineNumber)
            }
            try #require(columns.count == 9, "line \(lineNumber): \(columns.count) columns")
            let (region, input) = (columns[0], columns[1])
            let number: PhoneNumber
            do {
                number = try PhoneNumber(parsing: input, defaultRegion: region)
            } catch {
                failures.append("line \(lineNumber): \(region) \(input): \(error)")
                continue
            }
            let got = [
                number.formatted(.national), number.formatted(.international), number.formatted(.rfc3966),
                columns[5], number.formatted(forCallingFrom: columns[5]), columns[7],
                number.formattedNational(carrierCode: columns[7]),
            ]
            let want = Array(columns[2...])
            if got != want {
                failures.append("line \(lineNumber): \(region) \(input)\n  want \(want)\n  got  \(got)")
            }
            checked += 1
        }
        #expect(checked > 3_000)
        let shown = failures.prefix(30).joined(separator: "\n")
        #expect(failures.isEmpty, "\(failures.count) of \(checked) lines differ:\n\(shown)")
    }

    @Test func russianNumbersAsACRMShowsThem() throws {
        let mobile = try PhoneNumber(parsing: "89998885533", defaultRegion: "RU")
        #expect(mobile.formatted(.national) == "8 (999) 888-55-33")
        #expect(mobile.formatted(.international) == "+7 999 888-55-33")
        #expect(mobile.formatted(.rfc3966) == "tel:+7-999-888-55-33")
        #expect(mobile.formatted(.e164) == "+79998885533")
        #expect(mobile.formatted(forCallingFrom: "KZ") == "8 (999) 888-55-33")
        #expect(mobile.formatted(forCallingFrom: "DE") == "00 7 999 888-55-33")
        let withExtension = try PhoneNumber(parsing: "+7 495 123-45-67 доб. 4567")
        #expect(withExtension.formatted(.national) == "8 (495) 123-45-67 ext. 4567")
        #expect(withExtension.formatted(.rfc3966) == "tel:+7-495-123-45-67;ext=4567")
    }
}

@Suite struct FormattingExamplesTests {
    /// The examples of docs/phone-numbers.md, as the oracle answers them.
    @Test func documentedExamples() throws {
        #expect(try PhoneNumber(parsing: "+1 650 253 0000").formatted(forCallingFrom: "CA") == "1 (650) 253-0000")
        let brazil = try PhoneNumber(parsing: "(11) 96123-4567", defaultRegion: "BR")
        #expect(brazil.formattedNational(carrierCode: "15") == "0 15 (11) 96123-4567")
        #expect(brazil.formattedNational(carrierCode: "") == "(11) 96123-4567")
        #expect(PhoneNumber.callingCode(ofRegion: "KZ") == 7)
        #expect(PhoneNumber.callingCode(ofRegion: "001") == nil)
        #expect(PhoneNumber.callingCode(ofRegion: "ZZ") == nil)
        #expect(PhoneNumber.regions(ofCallingCode: 7) == ["RU", "KZ"])
        #expect(PhoneNumber.regions(ofCallingCode: 800) == ["001"])
        #expect(PhoneNumber.regions(ofCallingCode: 999).isEmpty)
        // An unknown calling region gives the international format.
        let mobile = try PhoneNumber(parsing: "+7 999 888 55 33")
        #expect(mobile.formatted(forCallingFrom: "ZZ") == "+7 999 888-55-33")
        #expect(mobile.formatted(forCallingFrom: "001") == "+7 999 888-55-33")
    }
}

/// The byte-level readers that `screenpop normalize` uses give exactly what the string properties
/// give, for every number of the parse corpus (whose strings the corpus tests check against the
/// reference).
@Suite struct FormattedBytesTests {
    @Test func bytesAndClassificationAgreeWithTheStringsOnTheParseCorpus() throws {
        let corpus = try GoldenCorpus.load("parse-corpus.tsv")
        var checked = 0
        var failures: [String] = []
        for item in corpus.cases {
            guard let number = try? PhoneNumber(parsing: item.input, defaultRegion: item.region) else { continue }
            var got: [String] = []
            for format in PhoneNumberFormat.allCases {
                number.withFormatted(format) { got.append(String(decoding: $0, as: UTF8.self)) }
            }
            number.withFormattedForPeople { national, international, rfc3966 in
                got += [national, international, rfc3966].map { String(decoding: $0, as: UTF8.self) }
            }
            let want = PhoneNumberFormat.allCases.map { number.formatted($0) }
                + [number.formatted(.national), number.formatted(.international), number.formatted(.rfc3966)]
            let classification = number.classification
            if got != want || classification.regionCode != number.regionCode || classification.type != number.type
                || classification.isValid != number.isValid
            {
                failures.append("line \(item.line): \(item.region) \(item.input): \(got) \(classification)")
            }
            checked += 1
        }
        #expect(checked > 30_000)
        #expect(failures.isEmpty, "\(failures.count) of \(checked) differ:\n\(failures.prefix(20).joined(separator: "\n"))")
    }

    @Test func anExtensionAndAnInvalidNumberAreWrittenAsTheStringsAre() throws {
        let withExtension = try PhoneNumber(parsing: "+7 495 123-45-67 доб. 4567")
        withExtension.withFormattedForPeople { national, _, rfc3966 in
            #expect(String(decoding: national, as: UTF8.self) == "8 (495) 123-45-67 ext. 4567")
            #expect(String(decoding: rfc3966, as: UTF8.self) == "tel:+7-495-123-45-67;ext=4567")
        }
        let invalid = try PhoneNumber(parsing: "+7 000 000")
        #expect(invalid.classification.isValid == false)
        #expect(invalid.classification.type == .unknown)
    }
}
