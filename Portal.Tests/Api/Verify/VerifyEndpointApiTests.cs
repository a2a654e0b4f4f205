using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Verify;

/// <summary>
/// Verify with an API (<c>apiId</c>): the API's rules and environments apply as at its gateway door;
/// the API must be the caller's organization's; the client address and resource are checked.
/// </summary>
public abstract class VerifyEndpointApiTests(DoorApp app)
{
    [Fact]
    public async Task Verify_WithApiId_UsesTheApisRules()
    {
        var caller = await app.NewUserAsync(null, Scope.KeysVerify);
        await app.AddRuleAsync(caller, "GET", "/orders/{id}", "orders:read");
        await app.AddRuleAsync(caller, "DELETE", "/orders/{id}", "orders:admin");
        var api = await app.ApiAsync(caller);
        var issued = await app.CreateKeyAsync(caller, ["orders:read"]);

        var read = await VerifyAsync(caller, new { key = issued.Token, apiId = api.PublicId, method = "GET", path = "/orders/7" });
        var delete = await VerifyAsync(caller, new { key = issued.Token, apiId = api.PublicId, method = "DELETE", path = "/orders/7" });

        Assert.Equal("VALID", read.GetProperty("code").GetString());
        Assert.Equal("test", read.GetProperty("environment").GetString());
        Assert.Equal("INSUFFICIENT_SCOPE", delete.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Verify_ApiNotAcceptingTheKeysEnvironment_IsEnvironmentNotAllowed()
    {
        var caller = await app.NewUserAsync(null, Scope.KeysVerify);
        ProtectedApi live;
        await using (var scope = app.Scope())
        {
            live = await scope.ServiceProvider.GetRequiredService<ApiCatalog>().CreateAsync(caller.Caller(), caller.OrganizationId, new ApiDraft("live"));
        }

        var issued = await app.CreateKeyAsync(caller, ["orders:read"]);

        var answer = await VerifyAsync(caller, new { key = issued.Token, apiId = live.PublicId, scope = "orders:read" });

        Assert.Equal("ENVIRONMENT_NOT_ALLOWED", answer.GetProperty("code").GetString());
        Assert.False(answer.GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task Verify_NonCanonicalPath_IsPathNotCanonical()
    {
        var caller = await app.NewUserAsync(null, Scope.KeysVerify);
        await app.AllowUnmatchedAsync(caller);
        var api = await app.ApiAsync(caller);
        var issued = await app.CreateKeyAsync(caller, ["orders:read"]);

        var answer = await VerifyAsync(caller, new { key = issued.Token, apiId = api.PublicId, method = "GET", path = "/public/%2e%2e/admin" });

        Assert.Equal("PATH_NOT_CANONICAL", answer.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("api_00000000000000000000000000000000")]
    [InlineData("not-an-api")]
    [InlineData("")]
    public async Task Verify_UnknownApi_Returns400NamingApiId(string apiId)
    {
        var caller = await app.NewUserAsync(null, Scope.KeysVerify);
        var issued = await app.CreateKeyAsync(caller, ["orders:read"]);

        await AssertBadRequestAsync(caller, new { key = issued.Token, apiId, scope = "orders:read" }, "apiId");
    }

    [Fact]
    public async Task Verify_AnotherOrganizationsApi_Returns400NamingApiId()
    {
        var caller = await app.NewUserAsync(null, Scope.KeysVerify);
        var other = await app.NewUserAsync();
        var theirs = await app.ApiAsync(other);
        var issued = await app.CreateKeyAsync(caller, ["orders:read"]);

        await AssertBadRequestAsync(caller, new { key = issued.Token, apiId = theirs.PublicId, scope = "orders:read" }, "apiId");
    }

    [Fact]
    public async Task Verify_PathWithoutApiOrScope_Returns400NamingApiId()
    {
        var caller = await app.NewUserAsync(null, Scope.KeysVerify);
        var issued = await app.CreateKeyAsync(caller, ["orders:read"]);

        await AssertBadRequestAsync(caller, new { key = issued.Token, method = "GET", path = "/orders/7" }, "apiId");
    }

    [Theory]
    [InlineData("not-an-ip")]
    [InlineData("203.0.113.5, 10.0.0.1")]
    [InlineData("999.1.1.1")]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("0x7f.1")]
    [InlineData("010.1.1.1")]
    [InlineData("4294967295")]
    [InlineData("fe80::1%eth0")]
    [InlineData("[::1]")]
    [InlineData("fe80::1%25xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    public async Task Verify_ClientIpNotAnAddress_Returns400NamingClientIp(string clientIp)
    {
        var caller = await app.NewUserAsync(null, Scope.KeysVerify);
        var issued = await app.CreateKeyAsync(caller, ["orders:read"]);

        await AssertBadRequestAsync(caller, new { key = issued.Token, scope = "orders:read", clientIp }, "clientIp");
    }

    [Theory]
    [InlineData("203.0.113.5")]
    [InlineData("2001:db8::7")]
    public async Task Verify_ClientIpAddress_IsAccepted(string clientIp)
    {
        var caller = await app.NewUserAsync(null, Scope.KeysVerify);
        var issued = await app.CreateKeyAsync(caller, ["orders:read"]);

        Assert.Equal("VALID", (await VerifyAsync(caller, new { key = issued.Token, scope = "orders:read", clientIp })).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Verify_ClientIpMappedToIPv6_IsKeptAsIPv4()
    {
        var caller = await app.NewUserAsync(null, Scope.KeysVerify);
        var issued = await app.CreateKeyAsync(caller, ["orders:read"]);

        Assert.Equal("VALID", (await VerifyAsync(caller, new { key = issued.Token, scope = "orders:read", clientIp = "::ffff:203.0.113.5" })).GetProperty("code").GetString());
        await app.FlushedUsageAsync(issued.Key.Id, atLeast: 1);

        await using var scope = app.Scope();
        var key = await scope.ServiceProvider.GetRequiredService<Portal.Core.Data.PortalDbContext>().ApiKeys.FindAsync(issued.Key.Id);
        Assert.Equal("203.0.113.5", key!.LastUsedIp);
    }

    [Theory]
    [InlineData("asset/eu-1/../../us-7")]
    [InlineData("asset/eu-1/./x")]
    [InlineData("asset/eu-1//x")]
    [InlineData("asset/..")]
    public async Task Verify_ResourceWithDotOrEmptySegments_Returns400NamingResource(string resource)
    {
        var caller = await app.NewUserAsync(null, Scope.KeysVerify);
        var issued = await app.CreateKeyAsync(caller, new Portal.Core.Keys.CreateKeyCommand("eu", Grants: [new Grant("orders:read", ["asset/eu-*"])]));

        await AssertBadRequestAsync(caller, new { key = issued.Token, scope = "orders:read", resource }, "resource");
    }

    private static async Task AssertBadRequestAsync(TestUser caller, object body, string field)
    {
        using var response = await caller.Client.PostAsJsonAsync("/api/v1/keys/verify", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.ReadJsonAsync()).GetProperty("errors").TryGetProperty(field, out _), $"the error names {field}");
    }

    private static async Task<JsonElement> VerifyAsync(TestUser caller, object body)
    {
        using var response = await caller.Client.PostAsJsonAsync("/api/v1/keys/verify", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }
}

public sealed class SqliteVerifyEndpointApiTests(SqliteDoorApp app) : VerifyEndpointApiTests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlVerifyEndpointApiTests(PostgreSqlDoorApp app) : VerifyEndpointApiTests(app), IClassFixture<PostgreSqlDoorApp>;
