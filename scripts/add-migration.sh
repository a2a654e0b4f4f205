#!/usr/bin/env bash
# Generates a migration named $1 for every database provider, each into its own folder.
# Migrations are generated: change the model, then run this script. The only hand-written part
# is a data move the schema change needs (migrationBuilder.Sql, per provider), with a test.
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:?usage: scripts/add-migration.sh MigrationName}"
dotnet tool restore >/dev/null
dotnet build Portal.Core -v q -nologo >/dev/null
for provider in Sqlite PostgreSql SqlServer; do
  dotnet ef migrations add "$name" \
    --project Portal.Core --startup-project Portal.Core --no-build \
    --context "${provider}PortalDbContext" \
    --output-dir "Data/Migrations/${provider}"
  dotnet build Portal.Core -v q -nologo >/dev/null
done
