// Reusable conditions for the catalogue: what a response or the origin's request must or must not contain.

import Foundation

enum Checks {
    /// The first origin request has field `name` with exactly `value`.
    static func originField(_ name: String, _ value: String) -> Check {
        Check(text: "origin sees \(name): \(value)") { observation in
            guard let head = observation.origin.first?.head else {
                return "origin received no request, so \(name) could not be checked"
            }
            let values = head.values(name)
            return values == [value] ? nil : "origin saw \(name): \(values.isEmpty ? "(absent)" : values.joined(separator: " | "))"
        }
    }

    /// The first origin request has no field `name`.
    static func originLacks(_ name: String) -> Check {
        Check(text: "origin sees no \(name)") { observation in
            guard let head = observation.origin.first?.head else {
                return nil
            }
            let values = head.values(name)
            return values.isEmpty ? nil : "origin saw \(name): \(values.joined(separator: " | "))"
        }
    }

    /// The first origin request has field `name` satisfying `test`.
    static func originField(_ name: String, _ text: String, _ test: @escaping @Sendable ([String]) -> Bool) -> Check {
        Check(text: "origin sees \(name) \(text)") { observation in
            guard let head = observation.origin.first?.head else {
                return "origin received no request, so \(name) could not be checked"
            }
            let values = head.values(name)
            return test(values) ? nil : "origin saw \(name): \(values.isEmpty ? "(absent)" : values.joined(separator: " | "))"
        }
    }

    /// The first origin request's target is exactly `target`.
    static func originTarget(_ target: String) -> Check {
        Check(text: "origin request-target is \(target)") { observation in
            guard let request = observation.origin.first else {
                return "origin received no request"
            }
            return request.target == target ? nil : "origin request-target was \(request.target)"
        }
    }

    static func originMethod(_ method: String) -> Check {
        Check(text: "origin method is \(method)") { observation in
            guard let request = observation.origin.first else {
                return "origin received no request"
            }
            return request.method == method ? nil : "origin method was \(request.method)"
        }
    }

    /// The first origin request's decoded body is `body`.
    static func originBody(_ body: String) -> Check {
        Check(text: "origin body is \"\(body)\"") { observation in
            guard let request = observation.origin.first else {
                return "origin received no request"
            }
            let actual = String(decoding: request.body, as: UTF8.self)
            return actual == body ? nil : "origin body was \"\(Template.printable(request.body, limit: 120))\""
        }
    }

    /// No request reached the origin complete: a proxy that streams bodies may forward the head and part of the
    /// body, but must cut the upstream connection when the body turns out invalid.
    static let noCompleteRequest = Check(text: "origin never receives a complete request") { observation in
        let complete = observation.origin.filter { $0.head != nil && $0.error == nil }
        return complete.isEmpty ? nil : "origin received a complete request: \(Template.printable(complete[0].raw, limit: 300))"
    }

    /// The request head at the origin has well-formed framing: exactly one of Content-Length or
    /// Transfer-Encoding, or neither.
    static let originFramingSingle = Check(text: "origin request is framed once") { observation in
        guard let head = observation.origin.first?.head else {
            return nil
        }
        if head.has("content-length") && head.has("transfer-encoding") {
            return "origin saw both Content-Length and Transfer-Encoding"
        }
        if head.values("content-length").count > 1 {
            return "origin saw several Content-Length fields"
        }
        return nil
    }

    /// Every origin request head is free of bytes that would let a field value split: CR or LF inside a line, NUL.
    static let originHeadClean = Check(text: "origin head has no stray CR, LF or NUL") { observation in
        for request in observation.origin {
            guard let head = request.head else {
                continue
            }
            let text = head.raw
            for (index, byte) in text.enumerated() {
                if byte == 0 {
                    return "origin head contains NUL"
                }
                if byte == 0x0D && (index + 1 >= text.count || text[index + 1] != 0x0A) {
                    return "origin head contains a bare CR"
                }
                if byte == 0x0A && (index == 0 || text[index - 1] != 0x0D) {
                    return "origin head contains a bare LF"
                }
            }
        }
        return nil
    }

    /// The first response has field `name` with `value`.
    static func responseField(_ name: String, _ value: String) -> Check {
        Check(text: "response has \(name): \(value)") { observation in
            guard let response = observation.response else {
                return nil
            }
            let values = response.head.values(name)
            return values == [value] ? nil : "response \(name): \(values.isEmpty ? "(absent)" : values.joined(separator: " | "))"
        }
    }

    static func responseLacks(_ name: String) -> Check {
        Check(text: "response has no \(name)") { observation in
            guard let response = observation.response else {
                return nil
            }
            let values = response.head.values(name)
            return values.isEmpty ? nil : "response had \(name): \(values.joined(separator: " | "))"
        }
    }

    static func responseField(_ name: String, _ text: String, _ test: @escaping @Sendable ([String]) -> Bool) -> Check {
        Check(text: "response \(name) \(text)") { observation in
            guard let response = observation.response else {
                return nil
            }
            let values = response.head.values(name)
            return test(values) ? nil : "response \(name): \(values.isEmpty ? "(absent)" : values.joined(separator: " | "))"
        }
    }

    /// The first response's body is exactly `body`.
    static func responseBody(_ body: String) -> Check {
        Check(text: "response body is \"\(body)\"") { observation in
            guard let response = observation.response else {
                return nil
            }
            return response.bodyText == body ? nil : "response body was \"\(Template.printable(response.body, limit: 160))\""
        }
    }

    /// The first response has an empty body and no bytes follow it.
    static let responseBodyEmpty = Check(text: "response has no body") { observation in
        guard let response = observation.response else {
            return nil
        }
        if !response.body.isEmpty {
            return "response had a \(response.body.count)-byte body"
        }
        return observation.extra.isEmpty ? nil : "bytes followed the response: \(Template.printable(observation.extra, limit: 120))"
    }

    /// No response at all reached the client before the final one (no 1xx forwarded).
    static func interimCount(_ count: Int) -> Check {
        Check(text: count == 0 ? "no 1xx response" : "\(count) 1xx response(s) first") { observation in
            observation.interim.count == count ? nil : "got \(observation.interim.count) 1xx response(s)"
        }
    }

    /// Response statuses in order, for pipelining.
    static func statuses(_ codes: [Int]) -> Check {
        Check(text: "responses in order: \(codes.map(String.init).joined(separator: ", "))") { observation in
            let actual = observation.responses.map(\.status)
            return actual == codes ? nil : "responses were \(actual.map(String.init).joined(separator: ", "))"
        }
    }

    /// Response bodies in order, for pipelining.
    static func bodies(_ bodies: [String]) -> Check {
        Check(text: "response bodies in order: \(bodies.joined(separator: ", "))") { observation in
            let actual = observation.responses.map(\.bodyText)
            return actual == bodies ? nil : "response bodies were \(actual.joined(separator: ", "))"
        }
    }

    /// The origin's requests arrived with these targets, in order.
    static func originTargets(_ targets: [String]) -> Check {
        Check(text: "origin targets in order: \(targets.joined(separator: ", "))") { observation in
            let actual = observation.origin.map(\.target)
            return actual == targets ? nil : "origin targets were \(actual.joined(separator: ", "))"
        }
    }

    static func custom(_ text: String, _ failure: @escaping @Sendable (Observation) -> String?) -> Check {
        Check(text: text, failure: failure)
    }
}
