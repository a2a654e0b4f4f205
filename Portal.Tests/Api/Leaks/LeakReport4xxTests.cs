using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Leaks;

/// <summary>
/// <c>POST /api/v1/keys/leaks</c> refusing a report: a missing, unknown or wrong signature (401), a body
/// over 1 MiB (413), a body that is no array of matches or has too many or too long values (400, naming
/// the field). Every refusal is a ProblemDetails, and a refused report stops nothing, even when it holds
/// a genuine token.
/// </summary>
public abstract class LeakReport4xxTests(DoorApp app)
{
    private const string Identifier = "Github-Public-Key-Identifier", Signature = "Github-Public-Key-Signature";

    [Fact]
    public async Task Report_SignedByAnotherKey_Returns401AndStopsNothing()
    {
        var (issued, body) = await GenuineReportAsync();

        await AssertRefusedAsync(LeakScanner.Signed(body, LeakScanner.Stranger), HttpStatusCode.Unauthorized, Signature, issued);
    }

    [Fact]
    public async Task Report_SignatureOfAnotherBody_Returns401AndStopsNothing()
    {
        var (issued, body) = await GenuineReportAsync();
        var request = LeakScanner.Signed(LeakScanner.Body(DoorTestKit.UnknownToken()));
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, Signature, issued);
    }

    [Fact]
    public async Task Report_BodyChangedByOneSpace_Returns401()
    {
        // The signature covers the raw bytes: a reformatted body is another body.
        var (issued, body) = await GenuineReportAsync();
        var request = LeakScanner.Signed(body);
        request.Content = new StringContent(body + " ", Encoding.UTF8, "application/json");

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, Signature, issued);
    }

    [Theory]
    [InlineData(Identifier)]
    [InlineData(Signature)]
    public async Task Report_HeaderMissing_Returns401NamingIt(string header)
    {
        var (issued, body) = await GenuineReportAsync();
        var request = LeakScanner.Signed(body);
        request.Headers.Remove(header);

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, header, issued);
    }

    [Theory]
    [InlineData(Identifier)]
    [InlineData(Signature)]
    public async Task Report_HeaderTwice_Returns401NamingIt(string header)
    {
        var (issued, body) = await GenuineReportAsync();
        var request = LeakScanner.Signed(body);
        var value = request.Headers.GetValues(header).Single();
        request.Headers.TryAddWithoutValidation(header, value);

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, header, issued);
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("BCB53661C06B4728E59D897FB6165D5C9CDA0FD9CDF9D09EAD458168DEB7518C")]
    [InlineData("\u0001")]
    public async Task Report_UnknownKeyIdentifier_Returns401(string identifier)
    {
        var (issued, body) = await GenuineReportAsync();

        await AssertRefusedAsync(LeakScanner.Signed(body, keyIdentifier: identifier), HttpStatusCode.Unauthorized, Identifier, issued);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("MEQCIA==")]
    [InlineData("")]
    public async Task Report_SignatureNotAnEcdsaSignature_Returns401(string signature)
    {
        var (issued, body) = await GenuineReportAsync();
        var request = LeakScanner.Signed(body);
        request.Headers.Remove(Signature);
        request.Headers.TryAddWithoutValidation(Signature, signature);

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, Signature, issued);
    }

    [Fact]
    public async Task Report_TenThousandTokens_IsRefusedUnreadAndStopsNothing()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        var tokens = Enumerable.Range(0, 10_000).Select(i => i == 0 ? issued.Token : DoorTestKit.UnknownToken()).ToArray();
        var body = LeakScanner.Body(tokens);
        Assert.True(Encoding.UTF8.GetByteCount(body) > 1024 * 1024);

        await AssertRefusedAsync(LeakScanner.Signed(body), HttpStatusCode.RequestEntityTooLarge, "body", issued);
    }

    [Fact]
    public async Task Report_TenThousandShortMatchesUnder1MiB_Returns400NamingTheBody()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        var body = JsonSerializer.Serialize(Enumerable.Range(0, 10_000).Select(i => new { token = i == 0 ? issued.Token : "x" }));
        Assert.True(Encoding.UTF8.GetByteCount(body) < 1024 * 1024);

        var problem = await AssertRefusedAsync(LeakScanner.Signed(body), HttpStatusCode.BadRequest, "body", issued);
        Assert.Contains("At most 1000 tokens", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("{}", "body")]
    [InlineData("null", "body")]
    [InlineData("\"pk_test\"", "body")]
    [InlineData("42", "body")]
    [InlineData("[{\"token\":\"{token}\"}", "[1]")]
    [InlineData("[{\"token\":\"{token}\"},null]", "[1]")]
    [InlineData("[{\"token\":\"{token}\"},{}]", "[1].token")]
    [InlineData("[{\"token\":\"{token}\"},{\"token\":\"\"}]", "[1].token")]
    [InlineData("[{\"token\":\"{token}\"},{\"token\":7}]", "[1].token")]
    [InlineData("[{\"token\":\"{token}\"},{\"token\":[\"a\"]}]", "[1].token")]
    [InlineData("[{\"token\":\"{token}\",\"token\":\"x\"}]", "[0].token")]
    [InlineData("[{\"token\":\"{token}\",\"url\":{}}]", "[0].url")]
    [InlineData("[{\"token\":\"{token}\",\"type\":\"{long}\"}]", "[0].type")]
    [InlineData("[{\"token\":\"{token}\",\"url\":\"https://e.com/{huge}\"}]", "[0].url")]
    [InlineData("[{\"token\":\"{token}\",\"source\":\"{long}{long}\"}]", "[0].source")]
    [InlineData("[{\"token\":\"{token}\"},{\"token\":\"{huge}\"}]", "[1].token")]
    [InlineData("[{\"token\":\"{token}\",\"x\":[[[[[[[[[[1]]]]]]]]]]}]", "[0].x")]
    [InlineData("\u0000", "body")]
    public async Task Report_NotAnArrayOfMatches_Returns400NamingTheFieldAndStopsNothing(string template, string field)
    {
        var (issued, _) = await GenuineReportAsync();
        var body = template.Replace("{token}", issued.Token).Replace("{long}", new string('t', 101)).Replace("{huge}", new string('h', 200_000));

        await AssertRefusedAsync(LeakScanner.Signed(body), HttpStatusCode.BadRequest, field, issued);
    }

    [Fact]
    public async Task Report_UnknownFieldsOfAMatch_AreIgnored()
    {
        // GitHub may add fields to its matches; a scanner that sends more must still be heard.
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        var body = $$$"""[{"token":"{{{issued.Token}}}","type":"t","url":"","source":"commit","found_at":"2026-01-01T00:00:00Z","extra":{"a":1}}]""";

        using var response = await app.CreateClient().SendAsync(LeakScanner.Signed(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(KeyStatus.Revoked, (await app.ReadKeyAsync(issued.Key.Id)).Status);
    }

    [Fact]
    public async Task Report_EmptyArray_Returns200WithNoLabels()
    {
        using var response = await app.CreateClient().SendAsync(LeakScanner.Signed("[]"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("[]", await response.Content.ReadAsStringAsync());
    }

    private async Task<(IssuedKey Issued, string Body)> GenuineReportAsync()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        return (issued, LeakScanner.Body(issued.Token));
    }

    private async Task<JsonElement> AssertRefusedAsync(HttpRequestMessage request, HttpStatusCode status, string field, IssuedKey genuine)
    {
        using var response = await app.CreateClient().SendAsync(request);

        var problem = await response.ReadProblemAsync(status);
        // The field itself, or a part of it ([0].x[0][0] for [0].x).
        Assert.True(
            problem.Errors().Keys.Any(key => key == field || key.StartsWith(field + ".", StringComparison.Ordinal) || key.StartsWith(field + "[", StringComparison.Ordinal)),
            $"errors name {string.Join(", ", problem.Errors().Keys)}, not {field}");
        Assert.Equal(KeyStatus.Active, (await app.ReadKeyAsync(genuine.Key.Id)).Status);
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.False(await db.KeyLeaks.AnyAsync(l => l.KeyId == genuine.Key.Id));
        Assert.False(await db.AuditRecords.AnyAsync(a => a.TargetId == genuine.Key.Id.ToString() && a.Action == AuditActions.KeyLeaked));
        return problem;
    }
}

public sealed class SqliteLeakReport4xxTests(SqliteDoorApp app) : LeakReport4xxTests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlLeakReport4xxTests(PostgreSqlDoorApp app) : LeakReport4xxTests(app), IClassFixture<PostgreSqlDoorApp>;

/// <summary>An installation with no verifying key answers leak reports 404, saying so, and reads nothing.</summary>
public sealed class LeakReportNotConfiguredTests : IClassFixture<LeakReportNotConfiguredTests.UnconfiguredApp>
{
    private readonly UnconfiguredApp app;

    public LeakReportNotConfiguredTests(UnconfiguredApp app) => this.app = app;

    [Fact]
    public async Task Report_NoKeyConfigured_Returns404SayingItIsNotConfigured_AndStopsNothing()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);

        using var response = await app.CreateClient().SendAsync(LeakScanner.Signed(LeakScanner.Body(issued.Token)));

        var problem = await response.ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("not configured", problem.GetProperty("title").GetString());
        Assert.Contains("LeakReports:PublicKeys", problem.GetProperty("detail").GetString());
        Assert.Equal(KeyStatus.Active, (await app.ReadKeyAsync(issued.Key.Id)).Status);
    }

    public sealed class UnconfiguredApp() : PortalApp(Portal.Core.Data.DatabaseProvider.Sqlite)
    {
        protected override bool AcceptsLeakReports => false;
    }
}
