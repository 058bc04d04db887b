// Loading a PEM certificate chain and private key into an SSL_CTX, and reading a certificate's DNS names.
internal import COpenSSL

enum CertificateLoading {
    /// Installs the chain and key into `context`, checking each file first so every failure names the file and the fix.
    static func load(certificatePath: String, keyPath: String, into context: OpaquePointer) throws {
        try FileCheck.requireReadableFile(certificatePath, role: "certificate chain")
        try FileCheck.requireReadableFile(keyPath, role: "private key")

        OpenSSLErrorQueue.clear()
        guard SSL_CTX_use_certificate_chain_file(context, certificatePath) == 1 else {
            throw TLSError.openSSL(
                "SSL_CTX_use_certificate_chain_file", subject: certificatePath,
                "invalid PEM certificate chain; the file must hold the leaf certificate first, then any intermediates, "
                    + "each as a -----BEGIN CERTIFICATE----- block")
        }

        let key = try readPrivateKey(keyPath)
        OpenSSLErrorQueue.clear()
        guard SSL_CTX_use_PrivateKey(context, key.pointer) == 1, SSL_CTX_check_private_key(context) == 1 else {
            throw TLSError.openSSL(
                "SSL_CTX_check_private_key", subject: keyPath,
                "the private key does not match the certificate in \(certificatePath); "
                    + "use the key that the certificate was issued for")
        }
    }

    /// Reads an unencrypted PEM private key; an encrypted one fails because no password is supplied.
    private static func readPrivateKey(_ path: String) throws -> OwnedPointer {
        OpenSSLErrorQueue.clear()
        guard let bio = BIO_new_file(path, "r") else {
            throw TLSError.openSSL("BIO_new_file", subject: path, "cannot open the private key file")
        }
        let file = OwnedPointer(bio) { BIO_free($0) }
        guard let key = PEM_read_bio_PrivateKey(file.pointer, nil, noPasswordCallback, nil) else {
            throw TLSError.openSSL(
                "PEM_read_bio_PrivateKey", subject: path,
                "invalid PEM private key; the file must hold an unencrypted key "
                    + "(-----BEGIN PRIVATE KEY----- or -----BEGIN EC/RSA PRIVATE KEY-----)")
        }
        return OwnedPointer(key) { EVP_PKEY_free($0) }
    }

    /// Returns the certificate's SAN DNS names, or its subject CN when it has no SAN DNS names.
    static func dnsNames(of certificate: OpaquePointer) -> [String] {
        let sanNames = subjectAltDNSNames(of: certificate)
        if !sanNames.isEmpty {
            return sanNames
        }
        return commonName(of: certificate).map { [$0] } ?? []
    }

    private static func subjectAltDNSNames(of certificate: OpaquePointer) -> [String] {
        guard let raw = X509_get_ext_d2i(certificate, NID_subject_alt_name, nil, nil) else {
            return []
        }
        let names = OwnedPointer(OpaquePointer(raw)) { GENERAL_NAMES_free($0) }
        var result: [String] = []
        for index in 0..<COpenSSL_sk_GENERAL_NAME_num(names.pointer) {
            guard let entry = COpenSSL_sk_GENERAL_NAME_value(names.pointer, index), entry.pointee.type == GEN_DNS,
                let value = entry.pointee.d.dNSName
            else {
                continue
            }
            result.append(string(from: value))
        }
        return result
    }

    private static func commonName(of certificate: OpaquePointer) -> String? {
        guard let subject = X509_get_subject_name(certificate) else {
            return nil
        }
        let position = X509_NAME_get_index_by_NID(subject, NID_commonName, -1)
        guard position >= 0, let entry = X509_NAME_get_entry(subject, position),
            let data = X509_NAME_ENTRY_get_data(entry)
        else {
            return nil
        }
        return string(from: data)
    }

    private static func string(from value: UnsafePointer<ASN1_STRING>) -> String {
        guard let bytes = ASN1_STRING_get0_data(value) else {
            return ""
        }
        let buffer = UnsafeBufferPointer(start: bytes, count: Int(ASN1_STRING_length(value)))
        return String(decoding: buffer, as: UTF8.self)
    }
}
