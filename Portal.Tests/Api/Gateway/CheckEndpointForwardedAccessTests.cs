using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Core.Access;
using Portal.Core.Keys;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Gateway;

/// <summary>
/// What the gateway door tells the upstream about an allowed key: <c>X-Auth-Scopes</c> only the
/// scopes it holds at the moment of the decision without conditions, <c>X-Auth-Resource-Filters</c>
/// (an RFC 8941 List) the ones it then holds for some resources only, both agreeing with verify's
/// <c>scopes</c> and <c>filters</c>. An upstream authorizing on <c>X-Auth-Scopes</c> alone is never
/// given more than the key has now.
/// </summary>
public abstract class CheckEndpointForwardedAccessTests(DoorApp app)
{
    [Fact]
    public async Task Check_KeyWithConditionalGrants_ForwardsOnlyWhatItHoldsNow_AsVerifyReportsIt()
    {
        var owner = await app.NewUserAsync(null, Scope.KeysVerify);
        var issued = await app.CreateKeyAsync(owner, new CreateKeyCommand("mixed", Scopes: ["orders:read"], Grants:
        [
            new Grant("orders:write", Schedule: WeeklyClock.BusinessHours),
            new Grant("assets:read", ["asset/eu-*", "asset/ch-*"]),
            new Grant("invoices:read", ["invoice/2026-*"], WeeklyClock.BusinessHours),
        ]));

        app.Clock.MoveToNext(DayOfWeek.Sunday, 3);
        var sunday = await ForwardedAsync(owner, issued.Token);
        app.Clock.MoveToNext(DayOfWeek.Monday, 10);
        var monday = await ForwardedAsync(owner, issued.Token);

        Assert.Equal("orders:read", sunday.Scopes);
        Assert.Equal([("assets:read", "asset/eu-* asset/ch-*")], sunday.Filters);
        Assert.Equal("orders:read orders:write", monday.Scopes);
        Assert.Equal([("assets:read", "asset/eu-* asset/ch-*"), ("invoices:read", "invoice/2026-*")], monday.Filters);
        foreach (var moment in new[] { sunday, monday })
        {
            Assert.Equal(moment.Scopes.Split(' '), moment.VerifyScopes);
            Assert.Equal(moment.Filters, moment.VerifyFilters);
            Assert.Equal(moment.RawFilters, moment.PathFormRawFilters);
        }
    }

    [Fact]
    public async Task Check_ScopeHeldOnlyForSomeResources_IsAllowedButNotForwardedAsAScope()
    {
        var owner = await app.NewUserAsync(null, Scope.KeysVerify);
        var issued = await app.CreateKeyAsync(owner, new CreateKeyCommand("eu orders", Grants: [new Grant("orders:read", ["order/eu-*"])]));

        var forwarded = await ForwardedAsync(owner, issued.Token);

        Assert.Equal("", forwarded.Scopes);
        Assert.Equal([("orders:read", "order/eu-*")], forwarded.Filters);
        Assert.Empty(forwarded.VerifyScopes);
    }

    [Fact]
    public async Task Check_KeyWithoutLimitedGrants_SendsAnEmptyList_SoAClientsValueIsReplaced()
    {
        var owner = await app.NewUserAsync(null, Scope.KeysVerify);
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);

        var forwarded = await ForwardedAsync(owner, issued.Token);

        Assert.Equal("orders:read", forwarded.Scopes);
        Assert.Equal("", forwarded.RawFilters);
        Assert.Equal("", forwarded.PathFormRawFilters);
        Assert.Empty(forwarded.Filters);
        Assert.Empty(forwarded.VerifyFilters);
    }

    private sealed record Forwarded(
        string Scopes,
        string? RawFilters,
        string? PathFormRawFilters,
        List<(string Scope, string Resources)> Filters,
        string[] VerifyScopes,
        List<(string Scope, string Resources)> VerifyFilters);

    // The header form with ?scope=orders:read, the path form through an API that lets any valid key
    // through unmatched requests, and verify without a scope, all at the same moment.
    private async Task<Forwarded> ForwardedAsync(TestUser owner, string token)
    {
        await app.AllowUnmatchedAsync(owner);
        var client = app.AnonymousClient();
        using var check = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, "orders:read")).WithBearer(token));
        using var pathForm = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(owner, "/anything")).WithBearer(token));
        using var verify = await owner.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = token });
        Assert.Equal(HttpStatusCode.OK, check.StatusCode);
        Assert.Equal(HttpStatusCode.OK, pathForm.StatusCode);
        var answer = await verify.ReadJsonAsync();
        Assert.True(answer.GetProperty("valid").GetBoolean());

        var raw = check.Header("X-Auth-Resource-Filters");
        return new Forwarded(
            check.Header("X-Auth-Scopes") ?? "",
            raw,
            pathForm.Header("X-Auth-Resource-Filters"),
            ResourceFiltersField.Read(raw),
            [.. answer.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!)],
            answer.TryGetProperty("filters", out var filters) ? [.. filters.EnumerateArray().Select(Filter)] : []);
    }

    private static (string, string) Filter(JsonElement filter) =>
        (filter.GetProperty("scope").GetString()!, string.Join(' ', filter.GetProperty("resources").EnumerateArray().Select(r => r.GetString()!)));
}

public sealed class SqliteCheckEndpointForwardedAccessTests(SqliteDoorApp app) : CheckEndpointForwardedAccessTests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlCheckEndpointForwardedAccessTests(PostgreSqlDoorApp app) : CheckEndpointForwardedAccessTests(app), IClassFixture<PostgreSqlDoorApp>;
