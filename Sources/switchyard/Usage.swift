// The help text of every command, and the version.

/// The version printed by `switchyard --version`.
enum SwitchyardVersion {
    static let current = "0.1.0"
}

enum Usage {
    static let configOption = """
          --config FILE       the configuration file (default: switchyard.json in the current folder)
        """

    static let kvOptions = """
        \(configOption)
          --namespace NAME    the kv namespace to use; required when the configuration defines several
        """

    static let main = """
        switchyard \(SwitchyardVersion.current): an HTTPS gateway that routes each request to its storefront's origin

        Usage: switchyard <command> [options]

        Commands:
          serve               run the gateway
          demo [...]          run a local demo setup (see `switchyard demo --help`)
          check               validate a configuration without starting the gateway
          kv put KEY VALUE    store a value under KEY
          kv get KEY          print the value stored under KEY
          kv delete KEY       remove KEY
          kv list             print the keys and values of a namespace
          kv bulk put FILE    store every key of a JSON file in one transaction
          plugin new NAME     create a plugin package (see `switchyard plugin --help`)
          plugins             list the built-in and loaded middleware
          reload              make a running gateway reread its configuration
          conformance [...]   run the HTTP/1.1 and TLS conformance suite (see `switchyard conformance --help`)
          help [COMMAND]      print this text, or the help of COMMAND

        Options:
          --help              print help (also after any command, as in `switchyard kv put --help`)
          --version           print the version

        Run `switchyard <command> --help` for the options of a command.

        """

    static let serve = """
        Usage: switchyard serve [--config FILE] [--workers N] [--pid-file FILE]

        Runs the gateway with the configuration file until SIGTERM or SIGINT, which stop accepting connections and
        let requests in flight finish within timeouts.shutdownGrace seconds (default 10); then it exits with 0.
        SIGHUP rereads the configuration: it loads newly named plugins and builds a new middleware chain (opening
        access log files anew, for logrotate) for new requests. An invalid file is logged and the running
        configuration stays. Changes to listen, workers, kv, limits, timeouts, upstreamPoolSize, logLevel and
        viaName need a restart.

        Options:
        \(configOption)
          --workers N         number of event loops, one thread each (default: the configuration's "workers",
                              else the number of cores)
          --pid-file FILE     write the process id to FILE, for `switchyard reload --pid-file FILE`

        """

    static let plugin = """
        Usage: switchyard plugin new NAME [--dir FOLDER] [--api-path PATH]

        Creates the Swift package FOLDER/NAME of a plugin whose middleware NAME adds `X-Name: world` to every
        response, with a test. Build it with `swift build -c release` (same toolchain as the gateway) and add
        .build/release/libName.so to "plugins" and { "use": "NAME" } to "middleware".

        Options:
          --dir FOLDER        where the package folder is created (default: the current folder)
          --api-path PATH     the gateway's plugins/api folder (default: found above this binary's location)

        """

    static let plugins = """
        Usage: switchyard plugins [--config FILE]

        Loads the configuration's plugins and prints every middleware name with its version, phases and library
        (`built-in` or the library file). Phases come from an instance built with the options of the first entry
        that uses the name, else with no options; `?` means no instance could be built, and an empty cell means
        the instance takes part in no phase with those options (header-injection without rules, for example).

        Options:
        \(configOption)

        """

    static let reload = """
        Usage: switchyard reload --pid-file FILE [--config FILE]

        Sends SIGHUP to the gateway whose process id `serve --pid-file FILE` wrote. With --config, the file is first
        checked as `switchyard check` does, and nothing is sent when it is invalid. The gateway logs
        "configuration reloaded" or the reason it kept the running configuration.

        Options:
          --pid-file FILE     the pid file of the running gateway
          --config FILE       the configuration to check before signalling

        """

    static let demo = """
        Usage: switchyard demo [--port PORT] [--dir FOLDER]

        Runs a self-contained demo: writes a self-signed localhost certificate, a configuration and an LMDB store
        seeded with sample storefronts into FOLDER, starts three sample origins on 127.0.0.1, serves HTTPS on
        127.0.0.1:PORT and prints curl commands to try. Ctrl-C stops it.

        Options:
          --port PORT         the HTTPS port on 127.0.0.1 (default 8443)
          --dir FOLDER        where the demo's files go (default ./switchyard-demo); reused on the next run

        """

    static let check = """
        Usage: switchyard check [--config FILE]

        Loads the configuration, opens its kv namespaces (creating missing store folders) and builds the middleware
        chain, then prints `configuration OK: ...` or every error as `error: KEY: MESSAGE`. Exits with 1 on errors.

        Options:
        \(configOption)

        """

    static let kv = """
        Usage: switchyard kv <put|get|delete|list|bulk put> ... [--config FILE] [--namespace NAME]

        Reads and writes a key-value namespace of the configuration. A running gateway sees each write at its next
        request. Values for put and bulk put are checked as routing values unless --raw is given: a JSON object
        with "origin", an absolute http or https URL without query or fragment, and optionally "redirect"
        ("pass" or "follow"), "verifyTLS" (true or false) and "caFile" (an absolute path of a PEM file).

        Commands:
          kv put KEY VALUE [--raw]          store VALUE (text) under KEY; VALUE - reads it from standard input
          kv get KEY                        print the value; exits with 1 if KEY is absent
          kv delete KEY                     remove KEY; exits with 1 if KEY is absent
          kv list [--prefix P] [--limit N] [--json]
                                            print keys with their values, in byte order of the keys
          kv bulk put FILE.json [--raw]     store every {"key": ..., "value": ...} of a JSON array in one
                                            transaction: all of them or, on any error, none

        Options:
        \(kvOptions)
          --raw               store values without checking them as routing values (put, bulk put)
          --prefix P          list only keys that start with P (default: all keys)
          --limit N           list at most N keys (default: no limit)
          --json              list as a JSON array of {"key": ..., "value": ...} with values as strings, the
                              format that `kv bulk put` reads

        Keys are 1 to 511 bytes of UTF-8. In bulk put, a value that is a JSON string is stored as its text, and
        any other JSON value as its compact JSON text.

        Example:
          switchyard kv put storeA '{"origin": "https://storefront-a.example.com"}'

        """

    static let conformance = """
        Usage: switchyard conformance --self [options]
               switchyard conformance --target https://HOST:PORT --origin-port N [--prefix /conf] [options]

        Runs the conformance suite: HTTP/1.1 intermediary and TLS cases, each traced to the clause that requires
        it. --self starts an in-process Switchyard with generated certificates, routes and short timeouts.
        --target runs against any proxy on a loopback address that forwards PREFIX/... to 127.0.0.1:N with
        PREFIX removed; the suite listens on that port as a scripted origin. Other hosts are rejected.
        The last line is `N passed, N failed, N skipped`; the exit status is 1 when any case failed.

        Options:
          --self              test an in-process Switchyard
          --target URL        the proxy to test: https://HOST:PORT or http://HOST:PORT, loopback only
          --prefix PATH       the path prefix routed to the scripted origin (default /conf)
          --origin-port N     the port the scripted origin listens on, on 127.0.0.1
          --sni NAME          the TLS server name to send (default: the target host unless it is an IP address)
          --alt-sni NAME      a second name the target has another certificate for, to check SNI selection
          --ca FILE           PEM file of CA certificates to verify the target with
          --insecure          do not verify the target's certificate
          --slow-timeout S    the longest the target takes to time out a slow client or origin, in seconds
                              (default 10); timeout cases wait up to S + 2 seconds
          --profile P         rfc, switchyard, tls or all (default all); a comma-separated list is allowed
          --filter PATTERN    run only cases whose id or title contains PATTERN, or matches it as a glob
                              when it contains *, ? or [
          --list              print the selected cases with their clauses, bytes and expectations; run nothing
          --json              print a JSON report instead of the table on standard output, and the summary line
                              on standard error; with --list, print the cases as a JSON array

        """

    /// Returns the help text of `command`, or nil if there is no such command.
    static func text(for command: String) -> String? {
        switch command {
        case "serve": return serve
        case "demo": return demo
        case "check": return check
        case "kv": return kv
        case "plugin": return plugin
        case "plugins": return plugins
        case "reload": return reload
        case "conformance": return conformance
        case "help": return main
        default: return nil
        }
    }
}
