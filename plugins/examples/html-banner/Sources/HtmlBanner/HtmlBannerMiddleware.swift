// The html-banner middleware: inserts an HTML fragment after the opening <body> tag of streamed HTML responses.

import SwitchyardPlugin

/// Inserts a configured HTML fragment right after the first `<body ...>` tag of `text/html` responses.
///
/// The body is rewritten as it streams: at most the five bytes of a possible `<body` prefix are held back
/// between chunks, so a tag split across chunks is found and memory stays constant whatever the body size.
/// Encoded bodies (`Content-Encoding` other than `identity`) pass unchanged. Runs on the event loop; the cost is
/// one byte comparison per body byte until the tag is found, then a plain copy.
public final class HtmlBannerMiddleware: Middleware {
    let banner: [UInt8]

    public var phases: MiddlewarePhases { .responseHead }

    private struct Options: Decodable {
        var banner: String
    }

    /// Validates `{ "use": "html-banner", "banner": "<div>...</div>" }`.
    public init(options: MiddlewareOptions) throws {
        try options.rejectUnknownKeys(["banner"])
        let decoded = try options.decode(Options.self)
        guard !decoded.banner.isEmpty else {
            throw ConfigurationError(key: "\(options.keyPath).banner", message: "is empty; give the HTML to insert")
        }
        banner = Array(decoded.banner.utf8)
    }

    public func responseHead(_ context: RequestContext, _ head: inout ResponseHead) {
        let contentType = head.headers["Content-Type"]?.lowercased() ?? ""
        let encoding = head.headers["Content-Encoding"]?.lowercased() ?? "identity"
        guard contentType.hasPrefix("text/html"), encoding == "identity", (200...299).contains(head.status),
            context.request.method != "HEAD"
        else { return }
        // The gateway re-frames a filtered body (chunked or close), so the origin's length must not go out.
        head.headers.remove("Content-Length")
        context.addResponseBodyFilter(BannerFilter(banner: banner))
    }
}

/// The streaming rewrite of one response body.
final class BannerFilter: ResponseBodyFilter {
    private enum State {
        /// Looking for `<body`; `matched` bytes of it are held in `pending`.
        case searching(matched: Int)
        /// Inside the body tag, after its name; `quote` is the open attribute quote, if any.
        case inTag(quote: UInt8?)
        /// The banner went out; the rest is copied.
        case done
    }

    private static let tagName: [UInt8] = Array("<body".utf8)
    private let banner: [UInt8]
    private var state = State.searching(matched: 0)
    private var pending: [UInt8] = []

    init(banner: [UInt8]) {
        self.banner = banner
    }

    func filter(_ input: UnsafeRawBufferPointer, endOfStream: Bool, output: inout [UInt8]) throws {
        var index = 0
        while index < input.count {
            if case .done = state {
                output.append(contentsOf: input[index...])
                break
            }
            step(input[index], output: &output)
            index += 1
        }
        if endOfStream {
            output += pending
            pending.removeAll()
        }
    }

    private func step(_ byte: UInt8, output: inout [UInt8]) {
        switch state {
        case .searching(let matched):
            search(byte, matched: matched, output: &output)
        case .inTag(let quote):
            output.append(byte)
            if let quote {
                state = .inTag(quote: byte == quote ? nil : quote)
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                state = .inTag(quote: byte)
            } else if byte == UInt8(ascii: ">") {
                output += banner
                state = .done
            }
        case .done:
            output.append(byte)
        }
    }

    private func search(_ byte: UInt8, matched: Int, output: inout [UInt8]) {
        if matched == Self.tagName.count {
            // `<body` must end the tag name: `<bodyguard>` is another element.
            output += pending
            pending.removeAll()
            output.append(byte)
            if byte == UInt8(ascii: ">") {
                output += banner
                state = .done
            } else if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C || byte == UInt8(ascii: "/") {
                state = .inTag(quote: nil)
            } else {
                state = .searching(matched: 0)
            }
            return
        }
        let lower = (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
        if lower == Self.tagName[matched] {
            pending.append(byte)
            state = .searching(matched: matched + 1)
            return
        }
        output += pending
        pending.removeAll()
        if byte == UInt8(ascii: "<") {
            pending.append(byte)
            state = .searching(matched: 1)
        } else {
            output.append(byte)
            state = .searching(matched: 0)
        }
    }
}

/// Registers `html-banner`; the entry point and the tests call it.
public func registerHtmlBanner(into registry: MiddlewareRegistry) throws {
    try registry.register(name: "html-banner", version: "1.0.0") { options, _ in
        try HtmlBannerMiddleware(options: options)
    }
}

/// The entry point the gateway looks up after loading the library.
@_cdecl("switchyard_plugin_register")
public func switchyardPluginRegister(_ registrar: UnsafeMutableRawPointer?) -> Int32 {
    PluginEntryPoint.register(registrar, registerHtmlBanner)
}
