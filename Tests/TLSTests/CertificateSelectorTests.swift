// Tests for CertificateSelector.
@testable import SwitchyardTLS
import Testing
