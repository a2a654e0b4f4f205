using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Apis;
using Portal.Core.Data;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Gateway;

/// <summary>
/// An API's gateway door refusing a genuine key of the API's organization: it lacks the scope the
/// gateway named, is limited to other APIs, or is of an environment the API does not accept.
/// 403 (not 401: asking again with the same key will not help), no challenge, no identity headers.
/// </summary>
public abstract class CheckEndpoint403Tests(DoorApp app)
{
    [Theory]
    [InlineData("orders:read", "orders:write")]
    [InlineData("orders:read", "billing:read")]
    [InlineData("orders:*", "billing:read")]
    [InlineData("orders:refund", "orders:refund:partial")]
    public async Task Check_KeyLackingNamedScope_Returns403InsufficientScope(string granted, string required)
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, [granted]);

        using var response = await app.AnonymousClient().SendAsync(
            new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, required)).WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("INSUFFICIENT_SCOPE", response.Header("X-Auth-Code"));
        Assert.Null(response.Header("WWW-Authenticate"));
        Assert.Null(response.Header("X-Auth-Key-Id"));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(403, (await response.ReadJsonAsync()).GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("DELETE")]
    [InlineData("HEAD")]
    public async Task Check_KeyLackingNamedScope_Returns403ForAnyMethod(string method)
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);

        using var response = await app.AnonymousClient().SendAsync(
            new HttpRequestMessage(new HttpMethod(method), await app.CheckUrlAsync(owner, "orders:write")).WithRawHeader("X-Api-Key", issued.Token));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("INSUFFICIENT_SCOPE", response.Header("X-Auth-Code"));
    }

    [Fact]
    public async Task Check_RevokedKeyLackingScope_Returns401NotForbidden()
    {
        // Status before scope: a dead key is never told which scopes it lacks.
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        await app.RevokeAsync(owner, issued.Key.Id);

        using var response = await app.AnonymousClient().SendAsync(
            new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, "orders:write")).WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("REVOKED", response.Header("X-Auth-Code"));
    }

    [Fact]
    public async Task Check_KeyLimitedToAnotherApi_Returns403ApiNotAllowed_InBothForms()
    {
        var owner = await app.NewUserAsync();
        await app.AllowUnmatchedAsync(owner);
        var billing = await CreateApiAsync(owner, new ApiDraft("billing", Environments: ApiEnvironments.Both, AllowUnmatchedRequests: true));
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        await LimitAsync(issued.Key.Id, billing.Id);

        await AssertForbiddenAsync(new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, "orders:read")).WithBearer(issued.Token), "API_NOT_ALLOWED");
        await AssertForbiddenAsync(new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(owner, "/orders/1")).WithBearer(issued.Token), "API_NOT_ALLOWED");
        using var allowed = await app.AnonymousClient().SendAsync(
            new HttpRequestMessage(HttpMethod.Get, $"/api/v1/auth/ext-authz/{billing.PublicId}/invoices/1").WithBearer(issued.Token));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(billing.PublicId, allowed.Header("X-Auth-Api-Id"));
    }

    [Fact]
    public async Task Check_KeyOfAnEnvironmentTheApiRefuses_Returns403EnvironmentNotAllowed()
    {
        // New APIs accept live keys only; the kit's keys are test keys.
        var owner = await app.NewUserAsync();
        var liveOnly = await CreateApiAsync(owner, new ApiDraft("live only", AllowUnmatchedRequests: true));
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);

        await AssertForbiddenAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/auth/check/{liveOnly.PublicId}?scope=orders:read").WithBearer(issued.Token), "ENVIRONMENT_NOT_ALLOWED");
        await AssertForbiddenAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/auth/ext-authz/{liveOnly.PublicId}/orders/1").WithBearer(issued.Token), "ENVIRONMENT_NOT_ALLOWED");
    }

    [Fact]
    public async Task Check_EnvironmentRefused_ComesBeforeScope()
    {
        // The API binding is decided before the grants: the key is not told which scopes it lacks here.
        var owner = await app.NewUserAsync();
        var liveOnly = await CreateApiAsync(owner, new ApiDraft("live only"));
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);

        await AssertForbiddenAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/auth/check/{liveOnly.PublicId}?scope=billing:admin").WithBearer(issued.Token), "ENVIRONMENT_NOT_ALLOWED");
    }

    private async Task AssertForbiddenAsync(HttpRequestMessage request, string code)
    {
        using var response = await app.AnonymousClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(code, response.Header("X-Auth-Code"));
        Assert.Null(response.Header("WWW-Authenticate"));
        Assert.Null(response.Header("X-Auth-Key-Id"));
        Assert.Null(response.Header("X-Auth-Api-Id"));
    }

    private async Task<ProtectedApi> CreateApiAsync(TestUser owner, ApiDraft draft)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<ApiCatalog>().CreateAsync(owner.Caller(), owner.OrganizationId, draft);
    }

    // Keys are limited to APIs directly in the database, before the door has read the key.
    private async Task LimitAsync(Guid keyId, params Guid[] apiIds)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var key = await db.ApiKeys.SingleAsync(k => k.Id == keyId);
        key.ApiIds = [.. apiIds];
        await db.SaveChangesAsync();
    }
}

public sealed class SqliteCheckEndpoint403Tests(SqliteDoorApp app) : CheckEndpoint403Tests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlCheckEndpoint403Tests(PostgreSqlDoorApp app) : CheckEndpoint403Tests(app), IClassFixture<PostgreSqlDoorApp>;
