import ArgumentParser
import PhoneNumbers

struct Normalize: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Parse phone numbers to E.164.")
    @Option var region = "ZZ"
    @Flag var tsv = false
    @Argument var numbers: [String] = []
    func run() throws {}
}
