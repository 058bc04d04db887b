// Unit tests of the suite's pieces: templates, target checks, case selection and the report.

import Testing
@testable import SwitchyardConformance
