using System.Net;
using System.Net.Http.Json;
using Portal.Core.Access;
using Portal.Core.Audit;
using Portal.Core.Validation;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Auth;

/// <summary>
/// No credential at all is <c>MISSING</c>, a credential that is no token is <c>MALFORMED</c>, at
/// every door: verify (its <c>key</c>), the gateway door's header and path forms, and the management
/// API's ApiKey scheme (its ProblemDetails). Both are 401; MISSING's challenge is a bare
/// <c>WWW-Authenticate: Bearer</c> (RFC 6750 section 3.1), MALFORMED's names <c>invalid_token</c>.
/// Both are logged as keyless decisions are (folded per address, door, code and minute).
/// </summary>
public abstract class MissingCredentialDoorTests(DoorApp app)
{
    // Names the header form's original request too, so both gateway forms decide on rules alike.
    private const string Target = "/orders/42";

    public static TheoryData<string, string, string?> Credentials() => new()
    {
        { "no header", "", null },
        { "empty X-Api-Key", "X-Api-Key", "" },
        { "X-Api-Key of spaces", "X-Api-Key", "   " },
        { "Bearer and nothing", "Authorization", "Bearer" },
        { "Bearer and spaces", "Authorization", "Bearer   " },
    };

    [Theory]
    [MemberData(nameof(Credentials))]
    public async Task EveryHeaderDoor_NoCredential_Is401MissingWithABareBearerChallenge(string scenario, string header, string? value)
    {
        var owner = await app.NewUserAsync();

        foreach (var (door, request) in await RequestsAsync(owner))
        {
            if (value is not null)
            {
                request.WithRawHeader(header, value);
            }

            using var response = await app.AnonymousClient().SendAsync(request);

            Assert.True(HttpStatusCode.Unauthorized == response.StatusCode, $"{scenario} at {door}: {response.StatusCode}");
            Assert.Equal("Bearer", response.Header("WWW-Authenticate"));
            Assert.Equal(ReasonCodes.Missing, await CodeAsync(door, response));
        }
    }

    [Theory]
    [InlineData("mistyped token")]
    [InlineData("another scheme")]
    [InlineData("two credentials")]
    public async Task EveryHeaderDoor_CredentialThatIsNoToken_Is401Malformed(string scenario)
    {
        var owner = await app.NewUserAsync();
        var genuine = (await app.CreateKeyAsync(owner, ["orders:read"])).Token;

        foreach (var (door, request) in await RequestsAsync(owner))
        {
            _ = scenario switch
            {
                "mistyped token" => request.WithBearer(DoorTestKit.WithBadChecksum(genuine)),
                "another scheme" => request.WithRawHeader("Authorization", "Basic dXNlcjpwYXNz"),
                _ => request.WithBearer(genuine).WithRawHeader("X-Api-Key", genuine),
            };

            using var response = await app.AnonymousClient().SendAsync(request);

            Assert.True(HttpStatusCode.Unauthorized == response.StatusCode, $"{scenario} at {door}: {response.StatusCode}");
            Assert.Equal("Bearer error=\"invalid_token\"", response.Header("WWW-Authenticate"));
            Assert.Equal(ReasonCodes.Malformed, await CodeAsync(door, response));
        }
    }

    [Theory]
    [InlineData("""{"scope":"orders:read"}""")]
    [InlineData("""{"key":null,"scope":"orders:read"}""")]
    [InlineData("""{"key":"","scope":"orders:read"}""")]
    public async Task Verify_NoKeyInTheBody_AnswersMissing(string body)
    {
        var caller = await app.NewUserAsync(null, Scope.KeysVerify);

        using var response = await caller.Client.PostAsync("/api/v1/keys/verify", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.ReadJsonAsync();
        Assert.False(answer.GetProperty("valid").GetBoolean());
        Assert.Equal(ReasonCodes.Missing, answer.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Verify_MistypedKeyInTheBody_AnswersMalformed()
    {
        var caller = await app.NewUserAsync(null, Scope.KeysVerify);
        var genuine = (await app.CreateKeyAsync(caller, ["orders:read"])).Token;

        using var response = await caller.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = DoorTestKit.WithBadChecksum(genuine) });

        Assert.Equal(ReasonCodes.Malformed, (await response.ReadJsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task EveryDoor_Missing_IsLoggedAsAKeylessDecision()
    {
        // One client address of this test's own: keyless decisions are folded per address, door, code and minute.
        var owner = await app.NewUserAsync(null, Scope.KeysVerify);
        var client = $"198.18.{Random.Shared.Next(256)}.{Random.Shared.Next(1, 255)}";
        foreach (var (_, request) in await RequestsAsync(owner, peer: client))
        {
            using var response = await app.AnonymousClient().SendAsync(request);
        }

        using (var verify = await owner.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = "", clientIp = client }))
        {
            Assert.Equal(ReasonCodes.Missing, (await verify.ReadJsonAsync()).GetProperty("code").GetString());
        }

        var logged = await app.WaitForLogAsync(q => q.Where(r => r.ClientIp == client), atLeast: 4);

        Assert.Equal(
            [$"{Doors.Api} MISSING", $"{Doors.Check} MISSING", $"{Doors.ExtAuthz} MISSING", $"{Doors.Verify} MISSING"],
            logged.Select(r => $"{r.Door} {r.Code}").Order(StringComparer.Ordinal));
        // No token, so no hint; and, like every keyless decision, filed under no key.
        Assert.All(logged, r => Assert.Equal((null, null), (r.KeyHint, r.KeyId)));
        // An API's doors and verify belong to the owner's organization: its admins see what reached
        // them. The management API is nobody's door.
        Assert.Equal(
            [$"{Doors.Api} ", $"{Doors.Check} {owner.OrganizationId}", $"{Doors.ExtAuthz} {owner.OrganizationId}", $"{Doors.Verify} {owner.OrganizationId}"],
            logged.Select(r => $"{r.Door} {r.OrganizationId}").Order(StringComparer.Ordinal));
    }

    // One request to each door that reads its key from headers: the header form (as nginx sends it,
    // from a trusted proxy, without a scope, so the rules decide), the path form, and the management
    // API; all from the client address <paramref name="peer"/> when given (the header form's forwarding
    // headers are then not believed, which changes nothing for a request without a usable key).
    private async Task<List<(string Door, HttpRequestMessage Request)>> RequestsAsync(TestUser owner, string? peer = null) =>
    [
        (Doors.Check, new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner))
            .WithRawHeader(DoorApp.PeerHeader, peer ?? "10.0.0.5").WithRawHeader("X-Original-Method", "GET").WithRawHeader("X-Original-URI", Target)),
        (Doors.ExtAuthz, new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(owner, Target)).WithRawHeader(DoorApp.PeerHeader, peer ?? DoorApp.DefaultPeer)),
        (Doors.Api, new HttpRequestMessage(HttpMethod.Get, "/api/v1/keys").WithRawHeader(DoorApp.PeerHeader, peer ?? DoorApp.DefaultPeer)),
    ];

    // The gateway door carries the code in X-Auth-Code; the management API in its ProblemDetails.
    private static async Task<string?> CodeAsync(string door, HttpResponseMessage response) =>
        door == Doors.Api ? (await response.ReadJsonAsync()).GetProperty("code").GetString() : response.Header("X-Auth-Code");
}

public sealed class SqliteMissingCredentialDoorTests(SqliteDoorApp app) : MissingCredentialDoorTests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlMissingCredentialDoorTests(PostgreSqlDoorApp app) : MissingCredentialDoorTests(app), IClassFixture<PostgreSqlDoorApp>;
