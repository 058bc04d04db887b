// Configuration error tests: missing, invalid and mismatched files, bad names, and generated file modes.
import Foundation
import SwitchyardTLS
import Testing

@Suite struct TLSConfigurationErrorTests {
    let folder: TemporaryFolder
    let first: TestCertificate
    let second: TestCertificate

    init() throws {
        folder = try TemporaryFolder()
        first = try TestCertificate(in: folder, name: "first", dnsNames: ["first.test"])
        second = try TestCertificate(in: folder, name: "second", dnsNames: ["second.test"])
    }

    @Test func missingCertificateFileIsNamed() throws {
        let missing = folder.file("absent.crt")
        let error = try #require(throws: TLSError.self) {
            try TLSServerContext(certificates: [(missing, first.key)])
        }
        #expect(error.subject == missing)
        #expect(error.description.contains(missing))
        #expect(error.description.contains("file not found"))
    }

    @Test func missingKeyFileIsNamed() throws {
        let missing = folder.file("absent.key")
        let error = try #require(throws: TLSError.self) {
            try TLSServerContext(certificates: [(first.cert, missing)])
        }
        #expect(error.subject == missing)
    }

    @Test func mismatchedKeyNamesKeyAndCertificate() throws {
        let error = try #require(throws: TLSError.self) {
            try TLSServerContext(certificates: [(first.cert, second.key)])
        }
        #expect(error.subject == second.key)
        #expect(error.description.contains("does not match"))
        #expect(error.description.contains(first.cert))
    }

    @Test func invalidPEMCertificateIsNamed() throws {
        let garbage = folder.file("garbage.crt")
        try Data("not a certificate\n".utf8).write(to: URL(fileURLWithPath: garbage))
        let error = try #require(throws: TLSError.self) {
            try TLSServerContext(certificates: [(garbage, first.key)])
        }
        #expect(error.subject == garbage)
        #expect(error.description.contains("invalid PEM certificate chain"))
    }

    @Test func keyFileGivenAsCertificateIsRejected() throws {
        let error = try #require(throws: TLSError.self) {
            try TLSServerContext(certificates: [(first.key, first.key)])
        }
        #expect(error.subject == first.key)
    }

    @Test func certificateGivenAsKeyIsRejected() throws {
        let error = try #require(throws: TLSError.self) {
            try TLSServerContext(certificates: [(first.cert, first.cert)])
        }
        #expect(error.subject == first.cert)
        #expect(error.description.contains("invalid PEM private key"))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
    func encryptedKeyIsRejectedWithoutPrompt() throws {
        let encrypted = folder.file("encrypted.key")
        let tool = Process()
        tool.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        tool.arguments = ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes256",
                          "-pass", "pass:secret", "-out", encrypted]
        try tool.run()
        tool.waitUntilExit()
        try #require(tool.terminationStatus == 0)

        let error = try #require(throws: TLSError.self) {
            try TLSServerContext(certificates: [(first.cert, encrypted)])
        }
        #expect(error.subject == encrypted)
        #expect(error.description.contains("unencrypted"))
    }

    @Test func directoryAsCertificateIsRejected() throws {
        let error = try #require(throws: TLSError.self) {
            try TLSServerContext(certificates: [(folder.path, first.key)])
        }
        #expect(error.description.contains("not a regular file"))
    }

    @Test func emptyCertificateListIsRejected() {
        #expect(throws: TLSError.self) { try TLSServerContext(certificates: []) }
    }

    @Test func missingCAFileIsNamed() throws {
        let missing = folder.file("absent-ca.pem")
        let error = try #require(throws: TLSError.self) { try TLSClientContext(verify: true, caFile: missing) }
        #expect(error.subject == missing)
    }

    @Test func invertedVersionRangeIsRejected() {
        #expect(throws: TLSError.self) {
            try TLSClientContext(verify: false, caFile: nil, minimumVersion: .v1_3, maximumVersion: .v1_2)
        }
    }

    @Test func invalidServerNameIsRejected() throws {
        let client = try TLSClientContext(verify: false, caFile: nil)
        #expect(throws: TLSError.self) { try TLSConnection(client: client, fd: -1, serverName: "") }
    }

    @Test func generatedKeyFileIsPrivate() throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: first.key)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func generatorRejectsInvalidDNSName() throws {
        for name in ["bad,name", "a..b", "*.com", "x.*.test", ""] {
            #expect(throws: TLSError.self, "\(name)") {
                try SelfSignedCertificate.generate(commonName: "x", dnsNames: [name], ipAddresses: [], days: 1,
                                                   certificatePath: folder.file("x.crt"), keyPath: folder.file("x.key"))
            }
        }
    }

    @Test func generatorRejectsInvalidIPAndDays() {
        #expect(throws: TLSError.self) {
            try SelfSignedCertificate.generate(commonName: "x", dnsNames: [], ipAddresses: ["999.1.1.1"], days: 1,
                                               certificatePath: folder.file("x.crt"), keyPath: folder.file("x.key"))
        }
        #expect(throws: TLSError.self) {
            try SelfSignedCertificate.generate(commonName: "x", dnsNames: [], ipAddresses: [], days: 0,
                                               certificatePath: folder.file("x.crt"), keyPath: folder.file("x.key"))
        }
    }

    @Test func generatorNamesUnwritablePath() throws {
        let path = folder.file("no/such/folder/x.crt")
        let error = try #require(throws: TLSError.self) {
            try SelfSignedCertificate.generate(commonName: "x", dnsNames: ["x.test"], ipAddresses: [], days: 1,
                                               certificatePath: path, keyPath: folder.file("ok.key"))
        }
        #expect(error.subject == path)
    }
}
