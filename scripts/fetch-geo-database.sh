#!/usr/bin/env bash
# Fetches the free country database the tests use (and a deployment may use): the npm package
# @ip-location-db/geo-whois-asn-country-mmdb (licence CC0-1.0), a MaxMind-format (.mmdb) file with
# country.iso_code records. Pinned to one version so test results do not change under us.
# Idempotent: does nothing when the file is already in artifacts/geo/. Prints the file's path.
set -euo pipefail

package="@ip-location-db/geo-whois-asn-country-mmdb"
version="${PORTAL_GEO_DATABASE_VERSION:-2.3.2026061719}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/artifacts/geo/$version"
file="$dir/geo-whois-asn-country.mmdb"

if [ ! -s "$file" ]; then
  mkdir -p "$dir"
  work="$(mktemp -d "$dir/.fetch.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  # npm pack downloads the registry's tarball (its integrity checked by npm) without installing it.
  tarball="$(cd "$work" && npm pack --silent "$package@$version" | tail -n 1)"
  tar -xzf "$work/$tarball" -C "$work"
  # The package also holds -ipv4 and -ipv6 files; the combined one answers both families.
  found="$work/package/geo-whois-asn-country.mmdb"
  if [ ! -s "$found" ]; then
    echo "No geo-whois-asn-country.mmdb in $package@$version" >&2
    exit 1
  fi
  # Moved into place in one step, so a concurrent run never sees half a file.
  mv "$found" "$file.tmp.$$"
  mv -f "$file.tmp.$$" "$file"
fi

echo "$file"
