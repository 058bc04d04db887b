// SelfSignedCertificate: key and self-signed X.509 v3 certificate generation with the OpenSSL API, no CLI.
internal import COpenSSL
import Glibc

/// Generates self-signed certificates for tests and first runs.
public enum SelfSignedCertificate {
    /// The key algorithm of a generated certificate.
    public enum KeyType: Sendable {
        case ecP256
        case rsa2048
    }

    /// Generates a key and a self-signed X.509 v3 certificate, then writes both as PEM files.
    ///
    /// The certificate is valid from 5 minutes ago (to tolerate clock skew) for `days` days, lists `dnsNames` and
    /// `ipAddresses` as SANs, and has `basicConstraints CA:TRUE` so it can serve as its own trust anchor (`caFile`).
    /// The key file is written with mode 0600.
    public static func generate(commonName: String, dnsNames: [String], ipAddresses: [String], days: Int,
                                certificatePath: String, keyPath: String, keyType: KeyType = .ecP256) throws {
        try CertificateFields.validate(commonName: commonName, dnsNames: dnsNames, ipAddresses: ipAddresses,
                                       days: days)
        let key = try generateKey(keyType)
        let certificate = try CertificateBuilder(key: key).build(
            commonName: commonName, subjectAltNames: CertificateFields.subjectAltNames(dnsNames, ipAddresses),
            days: days, keyType: keyType)

        let keyPEM = try PEMWriter.encode("PEM_write_bio_PrivateKey") {
            PEM_write_bio_PrivateKey($0, key.pointer, nil, nil, 0, nil, nil)
        }
        let certificatePEM = try PEMWriter.encode("PEM_write_bio_X509") { PEM_write_bio_X509($0, certificate.pointer) }
        try PEMWriter.write(keyPEM, to: keyPath, mode: 0o600)
        try PEMWriter.write(certificatePEM, to: certificatePath, mode: 0o644)
    }

    private static func generateKey(_ type: KeyType) throws -> OwnedPointer {
        OpenSSLErrorQueue.clear()
        let algorithm = type == .ecP256 ? "EC" : "RSA"
        guard let raw = EVP_PKEY_CTX_new_from_name(nil, algorithm, nil) else {
            throw TLSError.openSSL("EVP_PKEY_CTX_new_from_name", subject: algorithm, "key algorithm not available")
        }
        let keyContext = OwnedPointer(raw) { EVP_PKEY_CTX_free($0) }
        guard EVP_PKEY_keygen_init(raw) == 1 else {
            throw TLSError.openSSL("EVP_PKEY_keygen_init", subject: algorithm, "cannot start key generation")
        }
        let parameterSet = type == .ecP256
            ? EVP_PKEY_CTX_set_group_name(keyContext.pointer, "P-256")
            : EVP_PKEY_CTX_set_rsa_keygen_bits(keyContext.pointer, 2048)
        guard parameterSet == 1 else {
            throw TLSError.openSSL("EVP_PKEY_CTX_set_group_name", subject: algorithm, "cannot set the key size")
        }
        var key: OpaquePointer?
        guard EVP_PKEY_generate(keyContext.pointer, &key) == 1, let key else {
            throw TLSError.openSSL("EVP_PKEY_generate", subject: algorithm, "key generation failed")
        }
        return OwnedPointer(key) { EVP_PKEY_free($0) }
    }
}

/// Input checks and the SAN text for generated certificates.
enum CertificateFields {
    static func validate(commonName: String, dnsNames: [String], ipAddresses: [String], days: Int) throws {
        guard (1...64).contains(commonName.utf8.count), !commonName.utf8.contains(0) else {
            throw invalid(commonName, "invalid common name: it must be 1 to 64 bytes")
        }
        guard (1...36_500).contains(days) else {
            throw invalid(String(days), "invalid validity: days must be between 1 and 36500")
        }
        for name in dnsNames where !isValidDNSName(name) {
            throw invalid(name, "invalid DNS name: use letters, digits, '-', '_' and '.', "
                + "with '*' only as the whole first label of at least three")
        }
        for address in ipAddresses where !ServerName.isIPLiteral(address) {
            throw invalid(address, "invalid IP address: use dotted IPv4 or IPv6 text such as 127.0.0.1 or ::1")
        }
    }

    /// Returns the SAN list in OpenSSL's config syntax (`DNS:a,IP:1.2.3.4`), or nil when there is none.
    /// Safe to build as text because validation allows no commas or colons in DNS names.
    static func subjectAltNames(_ dnsNames: [String], _ ipAddresses: [String]) -> String? {
        let entries = dnsNames.map { "DNS:\($0)" } + ipAddresses.map { "IP:\($0)" }
        return entries.isEmpty ? nil : entries.joined(separator: ",")
    }

    static func isValidDNSName(_ name: String) -> Bool {
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard name.utf8.count <= 253, !labels.isEmpty else {
            return false
        }
        for (index, label) in labels.enumerated() {
            if index == 0 && label == "*" && labels.count > 2 {
                continue
            }
            let allowed = label.utf8.allSatisfy { byte in
                (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                    || byte == 0x2D || byte == 0x5F
            }
            guard allowed, (1...63).contains(label.utf8.count) else {
                return false
            }
        }
        return true
    }

    private static func invalid(_ value: String, _ message: String) -> TLSError {
        TLSError(operation: "SelfSignedCertificate.generate", subject: value, message: message)
    }
}
