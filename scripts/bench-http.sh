#!/usr/bin/env bash
# HTTP benchmark of the gateway check endpoint (a plain key, and a key with every request protection
# on: an IP allowlist of 100 networks, a country allow list, two rate limits, with the country
# database loaded) against a no-op endpoint of the same server and against a bare Kestrel app (a separate process answering 200 with an empty body, nothing in its
# pipeline: Portal.Benchmarks' bare-kestrel mode), in one run, with wrk (Debian). Then 10,000
# distinct random well-formed tokens, counting the database lookups they cause (dotnet-counters)
# and the server's memory before and after.
#   scripts/bench-http.sh [seconds per run, default 10] [connections, default 32]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
duration="${1:-10}"
connections="${2:-32}"

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
dotnet tool restore >/dev/null
dotnet build Portal -c Release -nologo -v q >/dev/null
dotnet build Portal.Benchmarks -c Release -nologo -v q >/dev/null
dll="$root/Portal/bin/Release/net10.0/Portal.dll"
bench_dll="$root/Portal.Benchmarks/bin/Release/net10.0/Portal.Benchmarks.dll"

data="$(mktemp -d)"
port=$((20000 + RANDOM % 20000))
bare_port=$((port + 1))
export Storage__DataDirectory="$data" Logging__LogLevel__Default=Warning ASPNETCORE_ENVIRONMENT=Production
PORTAL_ADMIN_PASSWORD="bench-password-$RANDOM$RANDOM" dotnet "$dll" admin create --email bench@example.com 2>/dev/null
api_id="$(dotnet "$dll" apis create --owner bench@example.com --name bench --environments live,test)"
token="$(dotnet "$dll" keys create --owner bench@example.com --name bench --scope orders:read)"
guarded_token="$(dotnet "$dll" keys create --owner bench@example.com --name guarded --scope orders:read)"
# Every protection on the second key, written as the portal stores it (the server is not running yet).
python3 - "$data/portal.db" <<'PY'
import json, sqlite3, sys
networks = [f"10.{i}.0.0/16" for i in range(49)] + ["193.99.144.0/24"] + [f"2001:db8:{i:x}::/48" for i in range(50)]
protections = {"ipAllowlist": networks, "countries": {"allow": ["DE", "FR", "NL"]},
               "rateLimits": [{"name": "burst", "limit": 1000000000, "periodSeconds": 1}, {"name": "daily", "limit": 1000000000000, "periodSeconds": 86400}]}
with sqlite3.connect(sys.argv[1]) as db:
    assert db.execute("UPDATE ApiKeys SET Protections = ? WHERE Name = 'guarded'", (json.dumps(protections),)).rowcount == 1
PY
export Geo__DatabasePath="$("$root/scripts/fetch-geo-database.sh")"
# The gateway door's header form, bound to the API, as nginx calls it: from loopback (a trusted
# proxy by default) with the original method and URI, so every request is also canonicalised.
check_path="/api/v1/auth/check/$api_id?scope=orders:read"
check_headers=(-H "X-Original-Method: GET" -H "X-Original-URI: /orders/4711?expand=lines")
# The guarded key's client, as nginx forwards it: an address in Germany, inside the allowlist.
guarded_headers=("${check_headers[@]}" -H "X-Forwarded-For: 193.99.144.80")

dotnet "$dll" --urls "http://127.0.0.1:$port" >"$data/server.log" 2>&1 &
server=$!
# Same environment (Production, logging at Warning), its own process and port.
dotnet "$bench_dll" bare-kestrel --urls "http://127.0.0.1:$bare_port" >"$data/bare.log" 2>&1 &
bare_server=$!
trap 'kill $server $bare_server 2>/dev/null || true; wait $server $bare_server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.2; done
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$bare_port/" >/dev/null && break; sleep 0.2; done

base="http://127.0.0.1:$port"
bare="http://127.0.0.1:$bare_port/"
check="$base$check_path"
run() { wrk -t1 -c"$connections" -d"${duration}s" --latency "$@"; }
rps() { awk '/^Requests\/sec/ {print $2}'; }
pct() { awk -v p="$1" '$1 == p {print $2}'; }
# wrk prints latencies as 812.00us, 1.46ms or 1.02s.
ms() { awk '{v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /[0-9]s$/) v *= 1000; printf "%.3f\n", v}'; }
sum() { paste -sd+ | bc -l; }
rounds="${ROUNDS:-3}"

echo "warming up..." >&2
wrk -t1 -c"$connections" -d5s "$bare" >/dev/null
wrk -t1 -c"$connections" -d5s "$base/api/v1/ping" >/dev/null
wrk -t1 -c"$connections" -d5s -H "Authorization: Bearer $token" "${check_headers[@]}" "$check" >/dev/null
wrk -t1 -c"$connections" -d5s -H "Authorization: Bearer $guarded_token" "${guarded_headers[@]}" "$check" >/dev/null
curl -fs -o /dev/null -H "Authorization: Bearer $guarded_token" "${guarded_headers[@]}" "$check" || { echo "the guarded key is refused" >&2; exit 1; }

# Interleaved rounds so that all three see the same machine conditions.
for round in $(seq 1 $rounds); do
  run "$bare" >"$data/bare-$round.txt"
  run "$base/api/v1/ping" >"$data/ping-$round.txt"
  run -H "Authorization: Bearer $token" "${check_headers[@]}" "$check" >"$data/check-$round.txt"
  run -H "Authorization: Bearer $guarded_token" "${guarded_headers[@]}" "$check" >"$data/guarded-$round.txt"
done

echo
echo "machine: $(nproc) cores, $(awk '/model name/ {$1=$2=$3=""; print; exit}' /proc/cpuinfo | xargs); wrk -t1 -c$connections -d${duration}s, $rounds interleaved rounds"
echo "check URL: $check_path"
printf '%-28s %12s %10s %10s\n' "endpoint (round)" "requests/s" "p50" "p99"
for round in $(seq 1 $rounds); do
  for name in bare ping check guarded; do
    f="$data/$name-$round.txt"
    printf '%-28s %12s %10s %10s\n' "$name ($round)" "$(rps <"$f")" "$(pct 50% <"$f")" "$(pct 99% <"$f")"
  done
done
total() { cat "$data/$1"-*.txt | rps | sum; }
printf 'check / ping throughput: %.1f%%\n' "$(echo "100 * $(total check) / $(total ping)" | bc -l)"
printf 'check / bare throughput: %.1f%%\n' "$(echo "100 * $(total check) / $(total bare)" | bc -l)"
printf 'ping / bare throughput: %.1f%%\n' "$(echo "100 * $(total ping) / $(total bare)" | bc -l)"
printf 'guarded check / bare throughput: %.1f%%\n' "$(echo "100 * $(total guarded) / $(total bare)" | bc -l)"
printf 'guarded check / check throughput: %.1f%%\n' "$(echo "100 * $(total guarded) / $(total check)" | bc -l)"
# Per round, then the mean of the rounds.
p99_gaps=()
for round in $(seq 1 $rounds); do
  p99_gaps+=("$(echo "$(pct 99% <"$data/check-$round.txt" | ms) - $(pct 99% <"$data/bare-$round.txt" | ms)" | bc -l)")
done
printf 'check p99 - bare p99: %.2f ms (rounds: %s ms)\n' "$(echo "($(printf '%s\n' "${p99_gaps[@]}" | sum)) / $rounds" | bc -l)" \
  "$(printf '%.2f\n' "${p99_gaps[@]}" | paste -sd' ')"

# Random tokens: each distinct token may cost one database lookup, then the negative cache answers.
rss() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
rss_before="$(rss)"
dotnet counters collect -p "$server" --counters Portal.Authentication --format csv -o "$data/counters.csv" \
  --refresh-interval 1 --duration "00:00:00:$((2 * duration + 6))" >/dev/null 2>&1 &
counters=$!
sleep 2
run -s "$root/scripts/bench/random-tokens.lua" "$check" >"$data/random-1.txt"
run -s "$root/scripts/bench/random-tokens.lua" "$check" >"$data/random-2.txt"
wait $counters || true
lookups="$(awk -F, '$3 ~ /^portal.validation.key_lookups/ {s += $5} END {print s + 0}' "$data/counters.csv")"
requests="$(cat "$data"/random-*.txt | awk '/requests in/ {s += $1} END {print s}')"
echo
echo "random well-formed tokens (10,000 distinct per run, 2 runs): $requests requests, $(cat "$data"/random-*.txt | rps | paste -sd' ') requests/s"
echo "database key lookups: $lookups (at most one per distinct token; the negative cache answers the rest)"
echo "server RSS: $((rss_before / 1024)) MB before, $(( $(rss) / 1024 )) MB after"
