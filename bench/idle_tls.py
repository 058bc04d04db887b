#!/usr/bin/env python3
"""Open idle TLS connections to a loopback server and hold them, for measuring per-connection memory.

Prints `ready OPENED` once every handshake is done, holds the connections for --hold seconds, then prints
`done STILL_OPEN` and closes them. Only loopback addresses are accepted, and the whole run is bounded by
--deadline seconds.
"""

import argparse
import ipaddress
import resource
import select
import socket
import ssl
import sys
import time


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="server address; must be a loopback address")
    parser.add_argument("--port", type=int, required=True, help="server TCP port")
    parser.add_argument("--count", type=int, default=1000, help="number of connections (1 to 10000)")
    parser.add_argument("--hold", type=float, default=10.0, help="seconds to hold the connections open")
    parser.add_argument("--deadline", type=float, default=120.0, help="maximum seconds for the whole run")
    parser.add_argument("--server-name", default="localhost", help="SNI host name sent in the handshake")
    arguments = parser.parse_args()
    if not ipaddress.ip_address(arguments.host).is_loopback:
        parser.error(f"--host {arguments.host} is not a loopback address; use 127.0.0.1 or ::1")
    if not 1 <= arguments.count <= 10_000:
        parser.error(f"--count {arguments.count} is out of range; use 1 to 10000")
    return arguments


def raise_file_limit(needed):
    """Raise the soft open-file limit so that `needed` sockets fit; fails if the hard limit is too low."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        sys.exit(f"error: the open-file hard limit {hard} is below {needed}; raise it with `ulimit -Hn`")
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def open_connections(arguments, deadline):
    """Connect and complete the TLS handshake `count` times, one after another."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    # The benchmark uses a throwaway self-signed certificate, so there is nothing to verify against.
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    connections = []
    for index in range(arguments.count):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            sys.exit(f"error: timed out after {index} of {arguments.count} handshakes; raise --deadline")
        raw = socket.create_connection((arguments.host, arguments.port), timeout=min(remaining, 10.0))
        try:
            connections.append(context.wrap_socket(raw, server_hostname=arguments.server_name))
        except (OSError, ssl.SSLError) as error:
            raw.close()
            sys.exit(f"error: handshake {index + 1} of {arguments.count} failed: {error}")
    return connections


def count_open(connections):
    """Count connections the server has not closed: a readable socket with no pending TLS data is at EOF."""
    still_open = 0
    for connection in connections:
        readable, _, _ = select.select([connection], [], [], 0)
        if not readable:
            still_open += 1
            continue
        connection.setblocking(False)
        try:
            # TLS 1.3 session tickets arrive after the handshake; reading consumes them without closing.
            if connection.recv(1) != b"":
                still_open += 1
        except ssl.SSLWantReadError:
            still_open += 1
        except (OSError, ssl.SSLError):
            pass
    return still_open


def main():
    arguments = parse_arguments()
    deadline = time.monotonic() + arguments.deadline
    raise_file_limit(arguments.count + 64)

    connections = open_connections(arguments, deadline)
    print(f"ready {len(connections)}", flush=True)

    time.sleep(max(0.0, min(arguments.hold, deadline - time.monotonic())))
    print(f"done {count_open(connections)}", flush=True)
    for connection in connections:
        connection.close()


if __name__ == "__main__":
    main()
