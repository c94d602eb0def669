import Foundation
import ArgumentParser

extension ParsableCommand {
    /// Like ArgumentParser's `main()`, but a refused option is one line on
    /// stderr (`TOOL: error: FAULT`, no usage block) and exit status 1, like
    /// every other refusal (docs/reliability.md, section 6, class 7). --help and --version are unchanged.
    public static func mainWithOneLineErrors(tool: String) {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }
            let line = message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
            FileHandle.standardError.write(Data("\(tool): error: \(line)\n".utf8))
            Foundation.exit(1)
        }
    }
}
