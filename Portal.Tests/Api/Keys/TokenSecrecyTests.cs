using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;
using Portal.Api.Keys;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Keys;

/// <summary>
/// The token is shown once and never stored or logged: after keys are created, rotated, used and
/// refused, no issued token (nor its secret middle) is anywhere in the database or the logs.
/// </summary>
public abstract class TokenSecrecyTests(PortalApp app)
{
    [Fact]
    public async Task StorageAndLogs_AfterCreateRotateUseAndRevoke_HoldNoIssuedToken()
    {
        var marker = $"secrecy-{Guid.NewGuid():N}";
        var user = await app.NewUserAsync();
        var tokens = new List<string> { user.ManageToken };

        var liveClient = await app.LiveClientAsync(user);
        var live = await liveClient.CreateKeyAsync(new { name = $"{marker} live", environment = "live", scopes = new[] { "keys:manage" } });
        var test = await user.Client.CreateKeyAsync($"{marker} test", "keys:manage", "orders:read");
        var revoked = await user.Client.CreateKeyAsync($"{marker} revoked", "keys:manage");
        tokens.AddRange([live.Token, test.Token, revoked.Token]);

        var rotatedWithGrace = await (await liveClient.PostAsJsonAsync($"/api/v1/keys/{live.Key.Id}/rotate", new { gracePeriodSeconds = 600 }))
            .ReadAsync<IssuedKeyResponse>(HttpStatusCode.OK);
        var rotatedAtOnce = await (await user.Client.PostAsJsonAsync($"/api/v1/keys/{test.Key.Id}/rotate", new { gracePeriodSeconds = 0 }))
            .ReadAsync<IssuedKeyResponse>(HttpStatusCode.OK);
        tokens.AddRange([rotatedWithGrace.Token, rotatedAtOnce.Token]);
        (await user.Client.PostAsync($"/api/v1/keys/{revoked.Key.Id}/revoke", null)).EnsureSuccessStatusCode();

        // Use every token, accepted or refused, so each door that could log one has had the chance.
        foreach (var token in tokens)
        {
            await app.ClientWith(token).GetAsync("/api/v1/keys");
            using var viaHeader = app.CreateClient();
            viaHeader.DefaultRequestHeaders.Add("X-Api-Key", token);
            await viaHeader.GetAsync($"/api/v1/keys/{live.Key.Id}");
        }

        app.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.ClientWith(live.Token).GetAsync("/api/v1/keys")).StatusCode);

        var storage = await ReadStorageAsync();
        var logs = string.Join("\n", app.Logs.Lines);

        // Controls: the scan sees what is stored and what is logged, so an empty scan cannot pass.
        Assert.Contains(Encoding.UTF8.GetBytes(marker), storage);
        Assert.Contains(revoked.Key.Id.ToString(), logs, StringComparison.Ordinal);

        foreach (var token in tokens)
        {
            foreach (var (form, needle) in Needles(token))
            {
                Assert.False(storage.AsSpan().IndexOf(needle) >= 0, $"the database holds a token ({form})");
            }

            Assert.DoesNotContain(token, logs, StringComparison.Ordinal);
            Assert.DoesNotContain(SecretMiddle(token), logs, StringComparison.Ordinal);
        }
    }

    /// <summary>Everything the database holds, as bytes to search.</summary>
    private async Task<byte[]> ReadStorageAsync()
    {
        if (app.Provider == DatabaseProvider.Sqlite)
        {
            // The main file and the write-ahead log (where recent writes sit until a checkpoint),
            // read once before and once after a checkpoint moves the log into the main file.
            var before = ReadDataFiles();
            await using (var connection = new SqliteConnection(app.ConnectionString))
            {
                await connection.OpenAsync();
                await using var checkpoint = new SqliteCommand("PRAGMA wal_checkpoint(TRUNCATE);", connection);
                await checkpoint.ExecuteNonQueryAsync();
            }

            Assert.Contains(app.DataDirectory, app.ConnectionString);
            return [.. before, .. ReadDataFiles()];
        }

        // Every row of every table, as JSON text (bytea columns come out as hex).
        var rows = new StringBuilder();
        await using var db = new NpgsqlConnection(app.ConnectionString);
        await db.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
            "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables " +
            "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')", db))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Contains(tables, t => t.Contains("ApiKeySecrets", StringComparison.Ordinal));
        foreach (var table in tables)
        {
            await using var select = new NpgsqlCommand($"SELECT row_to_json(t)::text FROM {table} t", db);
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.AppendLine(reader.GetString(0));
            }
        }

        return Encoding.UTF8.GetBytes(rows.ToString());
    }

    private byte[] ReadDataFiles()
    {
        var files = Directory.GetFiles(app.DataDirectory);
        Assert.Contains(files, f => f.EndsWith("portal.db", StringComparison.Ordinal));
        using var all = new MemoryStream();
        foreach (var file in files)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.CopyTo(all);
        }

        return all.ToArray();
    }

    /// <summary>The part of a token its hint never shows: after the first four random characters, before the last four.</summary>
    private static string SecretMiddle(string token) => token[(token.Length - 38 + 4)..^4];

    private static IEnumerable<(string Form, byte[] Bytes)> Needles(string token)
    {
        foreach (var (name, text) in new[] { ("token", token), ("secret middle", SecretMiddle(token)) })
        {
            yield return ($"{name}, UTF-8", Encoding.UTF8.GetBytes(text));
            yield return ($"{name}, UTF-16", Encoding.Unicode.GetBytes(text));
            yield return ($"{name}, hex", Encoding.ASCII.GetBytes(Convert.ToHexStringLower(Encoding.UTF8.GetBytes(text))));
            yield return ($"{name}, HEX", Encoding.ASCII.GetBytes(Convert.ToHexString(Encoding.UTF8.GetBytes(text))));
        }

        yield return ("token, base64", Encoding.ASCII.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(token))));
    }
}

public sealed class SqliteTokenSecrecyTests(SqliteApp app) : TokenSecrecyTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlTokenSecrecyTests(PostgreSqlApp app) : TokenSecrecyTests(app), IClassFixture<PostgreSqlApp>;
