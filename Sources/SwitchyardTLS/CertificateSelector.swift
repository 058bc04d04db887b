// Picks the certificate whose DNS names match a client's SNI host name; pure Swift, no OpenSSL.

/// Chooses among the server's certificates by SNI host name.
///
/// Each certificate contributes its SAN DNS names (or its subject CN when it has no SAN DNS names). A name matches
/// exactly (ASCII case-insensitive, a trailing dot ignored) or through a wildcard in the leftmost label only:
/// `*.example.com` matches `shop.example.com` but neither `example.com` nor `a.shop.example.com`. An exact match on any
/// certificate wins over a wildcard match; among equal matches the certificate listed first wins.
struct CertificateSelector: Equatable {
    /// The normalised DNS names of each certificate, in configuration order.
    let namesPerCertificate: [[String]]

    init(namesPerCertificate: [[String]]) {
        self.namesPerCertificate = namesPerCertificate.map { $0.map(Self.normalise) }
    }

    /// Returns the index of the certificate to present for `serverName`, or nil when none matches
    /// (the caller then keeps the default certificate).
    func certificateIndex(forServerName serverName: String) -> Int? {
        let host = Self.normalise(serverName)
        guard !host.isEmpty else {
            return nil
        }
        if let exact = namesPerCertificate.firstIndex(where: { $0.contains(host) }) {
            return exact
        }
        return namesPerCertificate.firstIndex { names in
            names.contains { Self.wildcard($0, matches: host) }
        }
    }

    /// Lowercases ASCII letters and drops one trailing dot, so `Shop.Example.COM.` equals `shop.example.com`.
    static func normalise(_ name: String) -> String {
        var lowered = String(name.lowercased())
        if lowered.hasSuffix(".") {
            lowered.removeLast()
        }
        return lowered
    }

    /// True when `pattern` is `*.<suffix>` and `host` is exactly one non-empty label followed by `.<suffix>`.
    static func wildcard(_ pattern: String, matches host: String) -> Bool {
        guard pattern.hasPrefix("*."), pattern.count > 2 else {
            return false
        }
        let suffix = pattern.dropFirst(1)  // ".example.com"
        guard host.hasSuffix(suffix), host.count > suffix.count else {
            return false
        }
        let label = host.dropLast(suffix.count)
        return !label.contains(".")
    }
}
