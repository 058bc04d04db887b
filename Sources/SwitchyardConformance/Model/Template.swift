// Byte templates for cases: `{P}` is the route prefix, `{H}` the Host authority, `{xHH}` one raw byte.

enum Template {
    /// Expands a template into the bytes to send. A `{` that starts no known placeholder stays as it is.
    static func bytes(_ text: String, prefix: String = "", host: String = "") -> [UInt8] {
        var output: [UInt8] = []
        let input = Array(text.utf8)
        var index = 0
        while index < input.count {
            if input[index] == UInt8(ascii: "{"), let (expansion, length) = placeholder(input, at: index, prefix, host) {
                output += expansion
                index += length
                continue
            }
            output.append(input[index])
            index += 1
        }
        return output
    }

    private static func placeholder(_ input: [UInt8], at index: Int, _ prefix: String, _ host: String)
        -> ([UInt8], Int)?
    {
        let rest = input[index...]
        if rest.starts(with: Array("{P}".utf8)) {
            return (Array(prefix.utf8), 3)
        }
        if rest.starts(with: Array("{H}".utf8)) {
            return (Array(host.utf8), 3)
        }
        if rest.count >= 5, rest[index + 1] == UInt8(ascii: "x"), rest[index + 4] == UInt8(ascii: "}"),
            let value = UInt8(String(decoding: input[(index + 2)...(index + 3)], as: UTF8.self), radix: 16)
        {
            return ([value], 5)
        }
        return nil
    }

    /// Shows bytes as one printable line: CR, LF, tab and other control or non-ASCII bytes escaped.
    static func printable(_ bytes: [UInt8], limit: Int = 600) -> String {
        var text = ""
        for byte in bytes.prefix(limit) {
            switch byte {
            case 0x0D: text += "\\r"
            case 0x0A: text += "\\n"
            case 0x09: text += "\\t"
            case 0x5C: text += "\\\\"
            case 0x20...0x7E: text.unicodeScalars.append(Unicode.Scalar(byte))
            default: text += "\\x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16)
            }
        }
        if bytes.count > limit {
            text += "…(\(bytes.count) bytes)"
        }
        return text
    }

    /// The printable form of a template as written in the catalogue.
    static func printable(template: String) -> String {
        printable(bytes(template, prefix: "{P}", host: "{H}"))
    }
}
