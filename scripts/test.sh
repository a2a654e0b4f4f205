#!/usr/bin/env bash
# The test command: every test project of the solution, against SQLite and a throwaway PostgreSQL
# on loopback, with the end-to-end tests in Debian's Chromium. Installs what a fresh Debian
# machine lacks (chromium, postgresql). Keeps TRX results in artifacts/test-results/ and
# screenshots in artifacts/screenshots/, and ends with one line: "N passed, N failed[, N skipped]".
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

configuration=Release
results="$root/artifacts/test-results"
screenshots="$root/artifacts/screenshots"

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Playwright cannot download browsers here: the end-to-end tests drive Debian's chromium package,
# and the gateway tests put Debian's nginx in front of the check endpoint.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-liberation)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
# The signature tests sign requests with an independent RFC 9421 library, in Node.js.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
# The mail tests send through a real SMTP server on loopback: Debian's aiosmtpd, run by /usr/bin/python3.
dpkg -s python3-aiosmtpd >/dev/null 2>&1 || missing+=(python3-aiosmtpd)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing ${missing[*]} for the end-to-end tests..." >&2
  as_root apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# The signing client's library, exactly as locked (http-message-signatures, from the npm registry).
npm ci --prefix "$root/Portal.E2E/Gateway/SigningClient" --no-audit --no-fund --loglevel=error >&2

# Assigned apart from the export so that a failing start stops the script (set -e).
postgres="$("$root/scripts/start-test-postgres.sh")"
export PORTAL_TEST_POSTGRES="$postgres"

# The country database the geo tests read (fetched once into artifacts/geo/).
geo_database="$("$root/scripts/fetch-geo-database.sh")"
export PORTAL_TEST_GEO_DATABASE="$geo_database"

if [ -f "$root/dotnet-tools.json" ] || [ -f "$root/.config/dotnet-tools.json" ]; then
  dotnet tool restore >/dev/null
fi

dotnet build Portal.sln -c "$configuration" -nologo

# Results of an earlier run must not be counted with this one.
rm -rf "$results" "$screenshots"
mkdir -p "$results" "$screenshots"
export PORTAL_E2E_ARTIFACTS="$screenshots"

status=0
dotnet test Portal.sln -c "$configuration" --no-build -nologo \
  --results-directory "$results" \
  --logger "trx;LogFilePrefix=results" || status=$?

# Sum the counters of every TRX file (one per test project). Errors, time-outs and aborts count
# as failures; skipped tests are the ones counted in total but not executed.
counter() { # counter NAME COUNTERS-ELEMENT
  local value
  value="$(printf '%s\n' "$2" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p")"
  echo "${value:-0}"
}
passed=0 failed=0 skipped=0 files=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  files=$((files + 1))
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1 || true)"
  passed=$((passed + $(counter passed "$counters")))
  for name in failed error timeout aborted; do
    failed=$((failed + $(counter "$name" "$counters")))
  done
  skipped=$((skipped + $(counter total "$counters") - $(counter executed "$counters")))
done

echo
echo "Test results: $results ($files TRX files); screenshots: $screenshots"
if [ "$status" -ne 0 ]; then
  echo "dotnet test exited with code $status" >&2
elif [ "$files" -eq 0 ]; then
  echo "dotnet test wrote no results" >&2
  status=1
fi

summary="$passed passed, $failed failed"
if [ "$skipped" -gt 0 ]; then summary="$summary, $skipped skipped"; fi
echo "$summary"
exit "$status"
