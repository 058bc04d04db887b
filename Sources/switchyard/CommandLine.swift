// A small command-line parser: positional arguments, `--name value`, `--name=value` and flags.

import Foundation

/// A failure the CLI reports on standard error; usage mistakes exit with 2, other failures with 1.
struct CLIError: Error {
    var messages: [String]
    var exitCode: Int32

    /// Makes the error for a mistake in the command line itself, pointing to the command's --help.
    static func usage(_ message: String, command: String) -> CLIError {
        let help = command.isEmpty ? "switchyard --help" : "switchyard \(command) --help"
        return CLIError(messages: ["\(message); see `\(help)`"], exitCode: 2)
    }

    static func failure(_ message: String) -> CLIError {
        CLIError(messages: [message], exitCode: 1)
    }
}

/// The arguments of one command after option parsing.
struct ParsedArguments {
    var positionals: [String] = []
    var values: [String: String] = [:]
    var flags: Set<String> = []

    /// Parses `arguments` against the options a command accepts. `--` ends the options, so a key or value may
    /// start with `--`. Throws a usage error for an unknown option or an option without its value.
    init(_ arguments: [String], command: String, valueOptions: Set<String>, flagOptions: Set<String>) throws {
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || !argument.hasPrefix("--") || argument == "-" {
                positionals.append(argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }

            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if flagOptions.contains(name) {
                guard inlineValue == nil else {
                    throw CLIError.usage("option --\(name) takes no value", command: command)
                }
                flags.insert(name)
            } else if valueOptions.contains(name) {
                if let inlineValue {
                    values[name] = inlineValue
                } else if index < arguments.count {
                    values[name] = arguments[index]
                    index += 1
                } else {
                    throw CLIError.usage("option --\(name) needs a value", command: command)
                }
            } else {
                throw CLIError.usage("unknown option --\(name) for `switchyard \(command)`", command: command)
            }
        }
    }

    /// Throws a usage error unless there are exactly `names.count` positional arguments.
    func expectPositionals(_ names: [String], command: String) throws {
        if positionals.count < names.count {
            let missing = names[positionals.count...].joined(separator: " ")
            throw CLIError.usage("missing \(missing)", command: command)
        }
        if positionals.count > names.count {
            let extra = positionals[names.count...].map { "\"\($0)\"" }.joined(separator: " ")
            throw CLIError.usage("unexpected argument \(extra)", command: command)
        }
    }
}

/// Standard output and error writers.
enum Console {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func out(bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
