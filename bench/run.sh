#!/usr/bin/env bash
# Benchmarks Switchyard against nginx as a TLS reverse proxy on loopback: req/s, p99, CPU per request, idle memory.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)

# Quotes each argument for a shell only where needed, with single quotes, so that recorded commands stay readable.
quote_arguments() {
    local argument quoted=""
    for argument in "$@"; do
        if [[ $argument =~ ^[A-Za-z0-9_./:=,+-]+$ ]]; then
            quoted+=" $argument"
        else
            quoted+=" '${argument//\'/\'\\\'\'}'"
        fi
    done
    printf '%s' "$quoted"
}

COMMAND_LINE="bench/run.sh$(quote_arguments "$@")"

THREADS=1
CONNECTIONS=50
DURATION=15s
WARMUP=3s
IDLE_COUNT=1000
IDLE_HOLD=10
BINARY=""
RECORD=0
KEEP_WORK=0
PIN=1
NOTE=""

usage() {
    cat <<EOF
Usage: bench/run.sh [options]

Runs one nginx origin, the Switchyard gateway and an nginx proxy on 127.0.0.1, loads both proxies with wrk
and prints a Markdown table of req/s, p99 latency, CPU per request and idle TLS memory per connection.

Options:
  --binary PATH        the switchyard binary (default: .build/release/switchyard, built if missing)
  --threads N          wrk threads (default: $THREADS)
  --connections N      wrk connections (default: $CONNECTIONS)
  --duration D         length of each measured wrk run, in wrk's syntax such as 15s or 1m (default: $DURATION)
  --warmup D           length of the unmeasured wrk run before each measured one; 0 skips it (default: $WARMUP)
  --idle-connections N idle TLS connections opened for the memory measurement (default: $IDLE_COUNT)
  --idle-hold SECONDS  how long the idle connections stay open (default: $IDLE_HOLD)
  --no-pin             do not pin wrk and the proxies to separate cores with taskset
  --note TEXT          a note added to the recorded section, for example about other load on the machine
  --record             append a dated section with the command, the machine and the results to
                       docs/BENCHMARKS.md
  --keep-work          keep the temporary work folder (configurations, logs, wrk output)
  --help               print this text
EOF
}

fail() {
    echo "error: $*" >&2
    exit 1
}

require_value() {
    [[ $# -ge 2 && -n $2 ]] || fail "$1 needs a value; see bench/run.sh --help"
}

require_count() {
    [[ $2 =~ ^[0-9]+$ && $2 -ge 1 && $2 -le $3 ]] || fail "$1 \"$2\" is invalid; use a whole number from 1 to $3"
}

require_duration() {
    [[ $2 =~ ^[0-9]+[smh]?$ ]] || fail "$1 \"$2\" is invalid; use a whole number with an optional unit, as in 15s"
}

parse_arguments() {
    while [[ $# -gt 0 ]]; do
        case $1 in
            --binary) require_value "$@"; BINARY=$2; shift ;;
            --threads) require_value "$@"; require_count "$1" "$2" 64; THREADS=$2; shift ;;
            --connections) require_value "$@"; require_count "$1" "$2" 10000; CONNECTIONS=$2; shift ;;
            --duration) require_value "$@"; require_duration "$1" "$2"; DURATION=$2; shift ;;
            --warmup) require_value "$@"; require_duration "$1" "$2"; WARMUP=$2; shift ;;
            --idle-connections) require_value "$@"; require_count "$1" "$2" 10000; IDLE_COUNT=$2; shift ;;
            --idle-hold) require_value "$@"; require_count "$1" "$2" 600; IDLE_HOLD=$2; shift ;;
            --no-pin) PIN=0 ;;
            --note) require_value "$@"; NOTE=$2; shift ;;
            --record) RECORD=1 ;;
            --keep-work) KEEP_WORK=1 ;;
            --help | -h) usage; exit 0 ;;
            *) fail "unknown option \"$1\"; see bench/run.sh --help" ;;
        esac
        shift
    done
    [[ $CONNECTIONS -ge $THREADS ]] || fail "--connections $CONNECTIONS is below --threads $THREADS; wrk needs at least one per thread"
}

# Converts a wrk duration (15s, 2m, 1h, 20) to whole seconds.
duration_seconds() {
    local value=${1%[smh]}
    case $1 in
        *m) echo $((value * 60)) ;;
        *h) echo $((value * 3600)) ;;
        *) echo "$value" ;;
    esac
}

check_tools() {
    local missing=()
    command -v nginx >/dev/null || missing+=(nginx-light)
    command -v wrk >/dev/null || missing+=(wrk)
    command -v openssl >/dev/null || missing+=(openssl)
    command -v python3 >/dev/null || missing+=(python3)
    command -v taskset >/dev/null || missing+=(util-linux)
    command -v timeout >/dev/null || missing+=(coreutils)
    if [[ ${#missing[@]} -gt 0 ]]; then
        echo "error: missing tools; install them with:" >&2
        echo "  apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
}

# Sets BINARY and BUILD_LABEL, building the release binary when no --binary was given and it is missing.
prepare_binary() {
    if [[ -z $BINARY ]]; then
        BINARY=$REPO_DIR/.build/release/switchyard
        if [[ ! -x $BINARY ]]; then
            command -v swift >/dev/null || fail "$BINARY is missing and swift is not installed; pass --binary PATH"
            echo "building $BINARY (a few minutes on 2 cores)" >&2
            (cd "$REPO_DIR" && swift build -c release --product switchyard) >&2
        fi
    fi
    [[ -x $BINARY ]] || fail "--binary $BINARY is not an executable file; build it with swift build -c release"
    BINARY=$(cd "$(dirname "$BINARY")" && pwd)/$(basename "$BINARY")
    case $BINARY in
        */release/*) BUILD_LABEL=release ;;
        */debug/*) BUILD_LABEL=debug ;;
        *) BUILD_LABEL="unknown build type" ;;
    esac
}

setup_cpus() {
    CPU_COUNT=$(nproc)
    if [[ $PIN -eq 1 && $CPU_COUNT -ge 2 ]]; then
        # The proxy under test gets a core to itself; wrk and the origin share the other one.
        LOAD_PIN=(taskset -c 0)
        PROXY_PIN=(taskset -c 1)
        PIN_NOTE="wrk and the origin on CPU 0, the proxy under test on CPU 1 (taskset)"
    else
        LOAD_PIN=()
        PROXY_PIN=()
        PIN_NOTE="no CPU pinning"
    fi
}

# Raises the open-file limit for the proxies and the idle-connection client, within the hard limit.
raise_file_limit() {
    local hard wanted=$((IDLE_COUNT + CONNECTIONS + 1024))
    hard=$(ulimit -Hn)
    if [[ $hard != unlimited && $hard -lt $wanted ]]; then
        fail "the open-file hard limit $hard is below $wanted; raise it or lower --idle-connections"
    fi
    if [[ $(ulimit -Sn) != unlimited && $(ulimit -Sn) -lt $wanted ]]; then
        ulimit -Sn "$wanted"
    fi
}

PIDS=()

cleanup() {
    local status=$?
    local index pid waited
    for ((index = ${#PIDS[@]} - 1; index >= 0; index--)); do
        pid=${PIDS[index]}
        kill -TERM "$pid" 2>/dev/null || continue
        for ((waited = 0; waited < 50; waited++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    done
    if [[ -n ${WORK:-} && -d $WORK ]]; then
        if [[ $KEEP_WORK -eq 1 || $status -ne 0 ]]; then
            echo "work folder kept: $WORK" >&2
        else
            rm -rf "$WORK"
        fi
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits up to 10 seconds for a TCP listener on 127.0.0.1:PORT while process PID is alive.
wait_for_port() {
    local port=$1 pid=$2 name=$3 log=$4 attempt
    for ((attempt = 0; attempt < 100; attempt++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "error: $name exited during startup; last lines of $log:" >&2
            tail -n 20 "$log" >&2 || true
            exit 1
        fi
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    fail "$name did not listen on 127.0.0.1:$port within 10 seconds; see $log"
}

fill_template() {
    sed -e "s|@WORK@|$WORK|g" -e "s|@ORIGIN_PORT@|$ORIGIN_PORT|g" -e "s|@GATEWAY_PORT@|$GATEWAY_PORT|g" \
        -e "s|@PROXY_PORT@|$PROXY_PORT|g" "$1" >"$2"
}

generate_certificate() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
        -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
}

# Writes the origin's files: exactly 100 bytes at /item and an HTML page of about 10 KB at /page.html.
write_origin_files() {
    local www=$WORK/origin/www line
    mkdir -p "$www"
    printf '%099d\n' 0 | tr 0 x >"$www/item"

    {
        printf '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Storefront A</title></head>\n'
        printf '<body>\n<h1>Storefront A</h1>\n<ul class="products">\n'
        for ((line = 1; line <= 92; line++)); do
            printf '  <li class="product"><a href="/storeA/products/%d">Product %d</a> <span class="price">%d.%02d EUR</span></li>\n' \
                "$line" "$line" $((line * 7 % 90 + 9)) $((line * 13 % 100))
        done
        printf '</ul>\n</body>\n</html>\n'
    } >"$www/page.html"
}

start_origin() {
    mkdir -p "$WORK/origin"
    write_origin_files
    fill_template "$BENCH_DIR/origin-nginx.conf.template" "$WORK/origin/nginx.conf"
    "${LOAD_PIN[@]}" nginx -p "$WORK/origin" -c "$WORK/origin/nginx.conf" -e "$WORK/origin/error.log" \
        >"$WORK/origin/stdout.log" 2>&1 &
    ORIGIN_PID=$!
    PIDS+=("$ORIGIN_PID")
    wait_for_port "$ORIGIN_PORT" "$ORIGIN_PID" "the origin nginx" "$WORK/origin/error.log"
}

start_gateway() {
    local config=$WORK/gateway/switchyard.json
    mkdir -p "$WORK/gateway"
    fill_template "$BENCH_DIR/switchyard.json.template" "$config"
    "$BINARY" kv put --config "$config" storeA "{\"origin\": \"http://127.0.0.1:$ORIGIN_PORT\"}" >/dev/null
    launch_gateway
}

# Starts the gateway process; its standard error is appended to, so that output of a crashed run is kept.
launch_gateway() {
    "${PROXY_PIN[@]}" "$BINARY" serve --config "$WORK/gateway/switchyard.json" >>"$WORK/gateway/stdout.log" \
        2>>"$WORK/gateway/stderr.log" &
    GATEWAY_PID=$!
    PIDS+=("$GATEWAY_PID")
    wait_for_port "$GATEWAY_PORT" "$GATEWAY_PID" "the Switchyard gateway" "$WORK/gateway/stderr.log"
}

# Starts the gateway again after it exited, so that one crash does not void the remaining runs, and adds the
# exit status to PROBLEMS. Only the gateway is restarted, because nginx is the reference.
restart_if_exited() {
    local proxy_label=$1 status=0
    [[ $proxy_label == Switchyard ]] || return 0
    kill -0 "$GATEWAY_PID" 2>/dev/null && return 0
    wait "$GATEWAY_PID" || status=$?
    PROBLEMS+=("the Switchyard gateway exited with status $status before $2; restarted it")
    echo "  the Switchyard gateway exited with status $status; restarting it" >&2
    launch_gateway
}

proxy_pid() {
    if [[ $1 == Switchyard ]]; then echo "$GATEWAY_PID"; else echo "$NGINX_PID"; fi
}

start_nginx_proxy() {
    mkdir -p "$WORK/proxy"
    fill_template "$BENCH_DIR/proxy-nginx.conf.template" "$WORK/proxy/nginx.conf"
    "${PROXY_PIN[@]}" nginx -p "$WORK/proxy" -c "$WORK/proxy/nginx.conf" -e "$WORK/proxy/error.log" \
        >"$WORK/proxy/stdout.log" 2>&1 &
    NGINX_PID=$!
    PIDS+=("$NGINX_PID")
    wait_for_port "$PROXY_PORT" "$NGINX_PID" "the nginx proxy" "$WORK/proxy/error.log"
}

# Fetches PATH through the proxy on PORT and fails unless it returns 200 with EXPECTED_BYTES of body.
check_proxy() {
    local name=$1 port=$2 path=$3 expected_bytes=$4
    python3 - "$port" "$path" "$expected_bytes" "$name" <<'EOF' || exit 1
import http.client, ssl, sys
port, path, expected, name = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
context = ssl._create_unverified_context()
connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
try:
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
except (OSError, http.client.HTTPException) as error:
    sys.exit(f"error: {name} check of {path} failed: {error}")
if response.status != 200 or len(body) != expected:
    sys.exit(f"error: {name} returned {response.status} with {len(body)} bytes for {path}; "
             f"expected 200 with {expected} bytes")
if response.getheader("X-Storefront-ID") != "storeA":
    sys.exit(f"error: {name} response for {path} lacks X-Storefront-ID: storeA")
EOF
}

# Prints the CPU time (user + system, all threads) of process PID in clock ticks.
cpu_ticks() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    # Fields after the parenthesised command name, which may contain spaces: utime is field 14, stime 15.
    stat=${stat##*) }
    awk '{ print $12 + $13 }' <<<"$stat"
}

rss_kib() {
    awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

# Converts a wrk latency such as 812.00us, 3.45ms or 1.20s to milliseconds.
latency_ms() {
    awk -v value="$1" 'BEGIN {
        number = value + 0
        if (value ~ /us$/) number /= 1000
        else if (value ~ /ms$/) number *= 1
        else if (value ~ /m$/) number *= 60000
        else if (value ~ /s$/) number *= 1000
        printf "%.2f", number
    }'
}

# Runs one measured wrk load against a proxy and appends a result row to RESULTS.
# Arguments: case label, proxy label (Switchyard or nginx), URL, then extra wrk arguments.
measure_load() {
    local case_label=$1 proxy_label=$2 url=$3
    shift 3
    local slug output pid before after requests rate p99 cpu_us errors non2xx sockets
    local limit=$(($(duration_seconds "$DURATION") + 60))
    slug=$(tr -c 'a-zA-Z0-9\n' - <<<"$case_label-$proxy_label")
    output=$WORK/wrk-$slug.txt

    restart_if_exited "$proxy_label" "the warm-up of \"$case_label\""
    if [[ $(duration_seconds "$WARMUP") -gt 0 ]]; then
        timeout "$limit" "${LOAD_PIN[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$@" "$url" >/dev/null 2>&1 || true
        # Gives the proxy time to handle the warm-up's connection closes, so that a crash they cause shows here.
        sleep 1
    fi
    restart_if_exited "$proxy_label" "the measured run of \"$case_label\" (so that run had no warm-up)"
    pid=$(proxy_pid "$proxy_label")
    if ! kill -0 "$pid" 2>/dev/null; then
        RESULTS+=("| $case_label | $proxy_label | n/a | n/a | n/a | n/a | process exited before this run |")
        return
    fi

    before=$(cpu_ticks "$pid") || before=""
    timeout "$limit" "${LOAD_PIN[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" \
        >"$output" 2>&1 || echo "warning: wrk exited with an error against $proxy_label; see $output" >&2
    after=$(cpu_ticks "$pid") || after=""

    requests=$(awk '/ requests in / { print $1; exit }' "$output")
    rate=$(awk '/^Requests\/sec:/ { printf "%.0f", $2; exit }' "$output")
    p99=$(awk '/Latency Distribution/ { found = 1 } found && $1 == "99%" { print $2; exit }' "$output")
    non2xx=$(awk -F': *' '/Non-2xx or 3xx responses/ { print $2; exit }' "$output")
    sockets=$(awk -F': *' '/Socket errors/ { print $2; exit }' "$output")
    errors=""
    [[ -n $non2xx ]] && errors="non-2xx/3xx: $non2xx"
    [[ -n $sockets ]] && errors="${errors:+$errors; }socket errors: $sockets"
    if [[ -z $after ]]; then
        errors="${errors:+$errors; }process exited during or right after the run, so its CPU time was lost"
    fi
    [[ -n $errors ]] && PROBLEMS+=("$proxy_label, $case_label: $errors")

    if [[ -n $before && -n $after && -n $requests && $requests -gt 0 ]]; then
        cpu_us=$(awk -v ticks=$((after - before)) -v hz="$CLOCK_TICKS" -v n="$requests" \
            'BEGIN { printf "%.1f", ticks / hz / n * 1e6 }')
    else
        cpu_us=n/a
    fi
    [[ -n $p99 ]] && p99=$(latency_ms "$p99") || p99=n/a
    RESULTS+=("| $case_label | $proxy_label | ${rate:-n/a} | $p99 | $cpu_us | ${requests:-n/a} | ${errors:-none} |")
    CPU_US["$case_label/$proxy_label"]=$cpu_us
    echo "  $case_label, $proxy_label: ${rate:-n/a} req/s, p99 $p99 ms, $cpu_us µs CPU/request" >&2
}

# Holds IDLE_COUNT idle TLS connections to a proxy and appends its memory row to IDLE_RESULTS.
measure_idle_memory() {
    local proxy_label=$1 pid=$2 port=$3
    local output=$WORK/idle-$proxy_label.txt before after client attempt opened still_open per_connection

    if ! kill -0 "$pid" 2>/dev/null; then
        IDLE_RESULTS+=("| $proxy_label | n/a | n/a | n/a | n/a |")
        return
    fi
    before=$(rss_kib "$pid")
    python3 "$BENCH_DIR/idle_tls.py" --port "$port" --count "$IDLE_COUNT" --hold "$IDLE_HOLD" \
        --deadline $((IDLE_HOLD + 120)) >"$output" 2>&1 &
    client=$!
    # The client prints "ready N" after its last handshake; it gives up by itself after its deadline.
    for ((attempt = 0; attempt < 1200; attempt++)); do
        grep -q '^ready ' "$output" && break
        kill -0 "$client" 2>/dev/null || break
        sleep 0.1
    done
    # Lets the server finish sending TLS 1.3 session tickets and releasing handshake buffers.
    sleep 1
    after=$(rss_kib "$pid") || after=""
    wait "$client" || PROBLEMS+=("$proxy_label, idle connections: $(tail -n 1 "$output")")

    opened=$(awk '/^ready / { print $2 }' "$output")
    still_open=$(awk '/^done / { print $2 }' "$output")
    if [[ -n $opened && $opened -gt 0 && -n $after ]]; then
        per_connection=$(awk -v a="$after" -v b="$before" -v n="$opened" 'BEGIN { printf "%.1f", (a - b) / n }')
    else
        per_connection=n/a
    fi
    IDLE_RESULTS+=("| $proxy_label | $before | ${after:-n/a} | ${opened:-0} | ${still_open:-n/a} | $per_connection |")
    echo "  idle memory, $proxy_label: $per_connection KiB per connection" >&2
}

# Prints the top processes by CPU, for judging whether other work disturbed the measurement.
load_snapshot() {
    echo "uptime: $(uptime)"
    # The second of two top samples one second apart: the first one's %CPU covers the time since boot.
    top -bn2 -d1 -o %CPU -w 120 2>/dev/null | awk '/^top -/ { block++ } block == 2' | sed -n '2,3p;7,13p' || true
}

print_tables() {
    local case_label ratio
    echo "| case | proxy | req/s | p99 (ms) | CPU µs/request | requests | errors |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | --- |"
    printf '%s\n' "${RESULTS[@]}"
    echo
    for case_label in "$CASE_SMALL" "$CASE_GZIP"; do
        ratio=$(awk -v s="${CPU_US[$case_label/Switchyard]:-n/a}" -v n="${CPU_US[$case_label/nginx]:-n/a}" \
            'BEGIN { if (s + 0 > 0 && n + 0 > 0) printf "%.2f", s / n; else print "n/a" }')
        echo "CPU per request, Switchyard / nginx, $case_label: $ratio"
    done
    echo
    echo "| proxy | RSS before (KiB) | RSS with idle connections (KiB) | connections opened | open after hold | KiB/connection |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${IDLE_RESULTS[@]}"
}

machine_description() {
    local model memory
    model=$(lscpu | awk -F': *' '/^Model name/ { print $2; exit }')
    memory=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
    echo "- CPUs: $(nproc) ($model), memory $memory, kernel $(uname -r)"
    echo "- $(swift --version 2>&1 | head -n 1 || echo 'swift: not installed')"
    echo "- $(nginx -v 2>&1), $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2), $(openssl version)"
    echo "- Switchyard build: $BUILD_LABEL ($BINARY)"
    echo "- Pinning: $PIN_NOTE"
}

problems_section() {
    local problem
    if [[ ${#PROBLEMS[@]} -eq 0 ]]; then
        echo "No errors or non-2xx responses in the wrk output."
        return
    fi
    echo "Problems seen:"
    echo
    for problem in "${PROBLEMS[@]}"; do
        echo "- $problem"
    done
    gateway_stderr_summary
}

# Summarises the gateway's standard error: crash messages and error-level log lines, counted, with addresses
# masked so that repeats group together.
gateway_stderr_summary() {
    local log=$WORK/gateway/stderr.log
    [[ -s $log ]] || return 0
    echo
    echo "The gateway's standard error, counted by message (addresses masked):"
    echo
    echo '```'
    { grep -E '^Fatal error|^\*\*\* Program crashed|"level":"(error|critical)"' "$log" || echo "(no crash or error lines)"; } |
        sed -E -e 's/0x[0-9a-f]+/0x…/g' -e 's/"time":"[^"]*"/"time":…/; s/"request_id":"[^"]*"/"request_id":…/' |
        sort | uniq -c | sort -rn | head -n 10
    echo '```'
}

record_results() {
    local file=$REPO_DIR/docs/BENCHMARKS.md
    {
        echo
        echo "## $(date -u '+%Y-%m-%d %H:%M UTC'), $BUILD_LABEL build"
        echo
        echo "Command: \`$COMMAND_LINE\` (wrk -t$THREADS -c$CONNECTIONS -d$DURATION, warm-up $WARMUP," \
            "$IDLE_COUNT idle connections held ${IDLE_HOLD}s)"
        echo
        machine_description
        echo
        [[ -n $NOTE ]] && echo "Note: $NOTE" && echo
        echo "Load before measuring:"
        echo
        echo '```'
        echo "$LOAD_BEFORE"
        echo '```'
        echo
        echo "Load after measuring:"
        echo
        echo '```'
        echo "$LOAD_AFTER"
        echo '```'
        echo
        print_tables
        echo
        problems_section
    } >>"$file"
    echo "recorded in $file" >&2
}

main() {
    parse_arguments "$@"
    check_tools
    prepare_binary
    setup_cpus
    raise_file_limit
    CLOCK_TICKS=$(getconf CLK_TCK)

    WORK=$(mktemp -d /tmp/switchyard-bench.XXXXXX)
    trap cleanup EXIT
    trap "exit 130" INT TERM
    generate_certificate
    ORIGIN_PORT=$(free_port)
    GATEWAY_PORT=$(free_port)
    PROXY_PORT=$(free_port)

    start_origin
    start_gateway
    start_nginx_proxy
    check_proxy Switchyard "$GATEWAY_PORT" /storeA/item 100
    check_proxy nginx "$PROXY_PORT" /storeA/item 100
    echo "origin on :$ORIGIN_PORT, Switchyard on :$GATEWAY_PORT, nginx on :$PROXY_PORT; work folder $WORK" >&2

    LOAD_BEFORE=$(load_snapshot)
    echo "$LOAD_BEFORE" >&2
    RESULTS=()
    IDLE_RESULTS=()
    PROBLEMS=()
    declare -gA CPU_US=()
    CASE_SMALL="100-byte keep-alive"
    CASE_GZIP="10 KB HTML, gzip"

    # Idle memory first, on processes that have served one request each, so that buffers kept from the
    # load runs do not hide the cost of a new connection.
    measure_idle_memory Switchyard "$GATEWAY_PID" "$GATEWAY_PORT"
    measure_idle_memory nginx "$NGINX_PID" "$PROXY_PORT"

    measure_load "$CASE_SMALL" Switchyard "https://127.0.0.1:$GATEWAY_PORT/storeA/item"
    measure_load "$CASE_SMALL" nginx "https://127.0.0.1:$PROXY_PORT/storeA/item"
    measure_load "$CASE_GZIP" Switchyard "https://127.0.0.1:$GATEWAY_PORT/storeA/page.html" \
        -H "Accept-Encoding: gzip"
    measure_load "$CASE_GZIP" nginx "https://127.0.0.1:$PROXY_PORT/storeA/page.html" \
        -H "Accept-Encoding: gzip"
    LOAD_AFTER=$(load_snapshot)

    if ! kill -0 "$GATEWAY_PID" 2>/dev/null; then
        PROBLEMS+=("the Switchyard gateway had exited by the end of the benchmark")
    fi
    echo
    print_tables
    echo
    problems_section
    [[ $RECORD -eq 1 ]] && record_results
    return 0
}

main "$@"
