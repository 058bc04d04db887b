// CertificateBuilder and PEMWriter: the X.509 fields, extensions and signature of a self-signed certificate.
internal import COpenSSL
import Glibc

/// Builds a self-signed X.509 v3 certificate for one key.
struct CertificateBuilder {
    let key: OwnedPointer

    func build(commonName: String, subjectAltNames: String?, days: Int, keyType: SelfSignedCertificate.KeyType)
        throws -> OwnedPointer
    {
        OpenSSLErrorQueue.clear()
        guard let raw = X509_new() else {
            throw TLSError.openSSL("X509_new", "cannot allocate a certificate")
        }
        let certificate = OwnedPointer(raw) { X509_free($0) }
        try setBasics(raw, commonName: commonName, days: days)
        // keyEncipherment keeps an RSA certificate usable by servers that still allow TLS 1.2 RSA key exchange.
        let keyUsage = keyType == .ecP256
            ? "digitalSignature,keyCertSign" : "digitalSignature,keyEncipherment,keyCertSign"
        try addExtension(raw, NID_basic_constraints, "critical,CA:TRUE")
        try addExtension(raw, NID_key_usage, "critical,\(keyUsage)")
        try addExtension(raw, NID_ext_key_usage, "serverAuth")
        try addExtension(raw, NID_subject_key_identifier, "hash")
        if let subjectAltNames {
            try addExtension(raw, NID_subject_alt_name, subjectAltNames)
        }
        guard X509_sign(raw, key.pointer, EVP_sha256()) > 0 else {
            throw TLSError.openSSL("X509_sign", subject: commonName, "cannot sign the certificate")
        }
        return certificate
    }

    /// Sets version 3, a random positive serial, the validity window, the public key, and subject = issuer = CN.
    private func setBasics(_ certificate: OpaquePointer, commonName: String, days: Int) throws {
        guard X509_set_version(certificate, 2) == 1, setRandomSerial(certificate),
            X509_gmtime_adj(X509_getm_notBefore(certificate), -300) != nil,
            X509_time_adj_ex(X509_getm_notAfter(certificate), Int32(days), 0, nil) != nil,
            X509_set_pubkey(certificate, key.pointer) == 1
        else {
            throw TLSError.openSSL("X509_set_version", subject: commonName, "cannot set the certificate fields")
        }
        let name = X509_get_subject_name(certificate)
        let bytes = Array(commonName.utf8)
        guard X509_NAME_add_entry_by_txt(name, "CN", COpenSSL_MBSTRING_UTF8(), bytes, Int32(bytes.count), -1, 0) == 1,
            X509_set_issuer_name(certificate, name) == 1
        else {
            throw TLSError.openSSL("X509_NAME_add_entry_by_txt", subject: commonName, "cannot set the common name")
        }
    }

    /// Sets a 127-bit random serial, which is positive and within the 20 octets RFC 5280 allows.
    private func setRandomSerial(_ certificate: OpaquePointer) -> Bool {
        guard let raw = BN_new() else {
            return false
        }
        let serial = OwnedPointer(raw) { BN_free($0) }
        guard BN_rand(serial.pointer, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 else {
            return false
        }
        return BN_to_ASN1_INTEGER(serial.pointer, X509_get_serialNumber(certificate)) != nil
    }

    private func addExtension(_ certificate: OpaquePointer, _ nid: Int32, _ value: String) throws {
        var v3Context = X509V3_CTX()
        X509V3_set_ctx(&v3Context, certificate, certificate, nil, nil, 0)
        guard let raw = X509V3_EXT_conf_nid(nil, &v3Context, nid, value) else {
            throw TLSError.openSSL("X509V3_EXT_conf_nid", subject: value, "invalid certificate extension value")
        }
        let ext = OwnedPointer(raw) { X509_EXTENSION_free($0) }
        guard X509_add_ext(certificate, ext.pointer, -1) == 1 else {
            throw TLSError.openSSL("X509_add_ext", subject: value, "cannot add the certificate extension")
        }
    }
}

/// PEM encoding through a memory BIO, and file output with an explicit mode.
enum PEMWriter {
    /// Runs `write` against a memory BIO and returns the PEM bytes it produced.
    static func encode(_ operation: String, _ write: (OpaquePointer) -> Int32) throws -> [UInt8] {
        OpenSSLErrorQueue.clear()
        guard let raw = BIO_new(BIO_s_mem()) else {
            throw TLSError.openSSL("BIO_new", "cannot allocate a memory buffer")
        }
        let bio = OwnedPointer(raw) { BIO_free($0) }
        guard write(bio.pointer) == 1 else {
            throw TLSError.openSSL(operation, "cannot encode PEM")
        }
        var data: UnsafeMutablePointer<CChar>?
        let length = COpenSSL_BIO_get_mem_data(bio.pointer, &data)
        guard let data, length > 0 else {
            throw TLSError.openSSL("BIO_get_mem_data", "PEM encoding produced no output")
        }
        return data.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
            Array(UnsafeBufferPointer(start: $0, count: Int(length)))
        }
    }

    /// Writes `bytes` to `path`, replacing its content, and sets `mode` even when the file already existed.
    static func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw fileError("open", path)
        }
        defer { close(fd) }
        guard fchmod(fd, mode) == 0 else {
            throw fileError("fchmod", path)
        }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR {
                continue
            }
            guard written > 0 else {
                throw fileError("write", path)
            }
            offset += written
        }
    }

    private static func fileError(_ operation: String, _ path: String) -> TLSError {
        let reason = String(cString: strerror(errno))
        return TLSError(operation: operation, subject: path,
                        message: "cannot write the PEM file: \(reason); check that the folder exists and is writable")
    }
}
