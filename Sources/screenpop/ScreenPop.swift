import ArgumentParser

/// `screenpop`: the command-line face of the ScreenPop library.
@main
struct ScreenPop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "screenpop",
        abstract: "Answer who is calling: phone number parsing and call-target resolution.",
        version: "0.1.0",
        subcommands: [
            Normalize.self, Describe.self, Extract.self, Resolve.self, Serve.self, Import.self, Sync.self, Webhooks.self,
            Accounts.self, Audit.self,
        ]
    )
}
