using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Access;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Core.Validation;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Access;

public abstract class AccessExplainerTests(PortalApp app)
{
    [Fact]
    public async Task Explain_RuleAndSetGrant_NamesTheRuleAndTheSetVersion()
    {
        var admin = await app.NewUserAsync();
        var organization = admin.OrganizationId;
        await Catalog(c => c.AddResourceAsync(admin.Caller(), organization, "orders", null, ["refund"]));
        await Catalog(c => c.AddRuleAsync(admin.Caller(), organization, "GET", "/orders/{id}", "orders:read"));
        await Catalog(c => c.AddRuleAsync(admin.Caller(), organization, "POST", "/orders/{id}/refund", "orders:refund"));
        var set = await Sets(c => c.CreateAsync(admin.Caller(), organization, "order readers", null, [new Grant("orders:read")]));
        var key = await CreateKeyAsync(admin, organization, setIds: [set.Id]);

        var allowed = await ExplainAsync(admin, key, new AccessQuestion("GET", "/orders/42"));
        var refused = await ExplainAsync(admin, key, new AccessQuestion("POST", "/orders/42/refund"));

        Assert.Equal(ReasonCodes.Valid, allowed.Code);
        Assert.Equal("/orders/{id}", allowed.Rule?.Template);
        Assert.Equal("orders:read", allowed.RequiredScope);
        Assert.Equal(new Grant("orders:read"), allowed.Grant);
        Assert.Equal(("order readers", 1), (allowed.Origin?.SetName, allowed.Origin?.SetVersion));
        Assert.Equal(ReasonCodes.InsufficientScope, refused.Code);
        Assert.Equal("orders:refund", refused.Rule?.Scope);
        Assert.Null(refused.Grant);
    }

    [Fact]
    public async Task Explain_UnmatchedPath_DeniedUntilTheOrganizationAllowsAnyValidKey()
    {
        var admin = await app.NewUserAsync();
        var key = await CreateKeyAsync(admin, admin.OrganizationId, scopes: ["orders:read"]);

        var denied = await ExplainAsync(admin, key, new AccessQuestion("GET", "/elsewhere"));
        await Catalog(async c => { await c.SetAllowUnmatchedAsync(admin.Caller(), admin.OrganizationId, true); return 0; });
        var allowed = await ExplainAsync(admin, key, new AccessQuestion("GET", "/elsewhere"));

        Assert.Equal((ReasonCodes.InsufficientScope, false, null), (denied.Code, denied.UnmatchedAllowed, denied.Rule));
        Assert.Equal((ReasonCodes.Valid, true), (allowed.Code, allowed.UnmatchedAllowed));
        Assert.Null(allowed.Grant);
    }

    [Fact]
    public async Task Explain_ScopeResourceAndTime_FollowTheGrantsConditions()
    {
        var admin = await app.NewUserAsync();
        var weekdays = new AccessSchedule(TimeZone: "Europe/Berlin", Windows: [new WeeklyWindow(["mon", "tue", "wed", "thu", "fri"], "09:00", "17:00")]);
        var key = await CreateKeyAsync(admin, admin.OrganizationId, grants: [new Grant("assets:read", ["asset/eu-*"], weekdays)]);
        var mondayNoon = new DateTimeOffset(2026, 3, 2, 11, 0, 0, TimeSpan.Zero);
        var sundayNoon = new DateTimeOffset(2026, 3, 1, 11, 0, 0, TimeSpan.Zero);

        var allowed = await ExplainAsync(admin, key, new AccessQuestion(null, null, "assets:read", "asset/eu-17", mondayNoon));
        var otherAsset = await ExplainAsync(admin, key, new AccessQuestion(null, null, "assets:read", "asset/us-1", mondayNoon));
        var sunday = await ExplainAsync(admin, key, new AccessQuestion(null, null, "assets:read", "asset/eu-17", sundayNoon));

        Assert.Equal(ReasonCodes.Valid, allowed.Code);
        Assert.Same(GrantOrigin.Direct, allowed.Origin);
        Assert.Null(allowed.Rule);
        Assert.Equal(ReasonCodes.ResourceNotAllowed, otherAsset.Code);
        Assert.Equal(ReasonCodes.OutsideTimeWindow, sunday.Code);
    }

    [Fact]
    public async Task Explain_RevokedKey_IsRevokedBeforeAnyRule()
    {
        var owner = await app.NewUserAsync();
        var key = await CreateKeyAsync(owner, owner.OrganizationId, scopes: ["orders:read"]);
        await Catalog(async c => { await c.SetAllowUnmatchedAsync(owner.Caller(), owner.OrganizationId, true); return 0; });
        await Keys(c => c.RevokeAsync(owner.Caller(), key));

        var revoked = await ExplainAsync(owner, key, new AccessQuestion("GET", "/anything"));

        Assert.Equal((ReasonCodes.Revoked, false, null), (revoked.Code, revoked.UnmatchedAllowed, revoked.Grant));
    }

    [Fact]
    public async Task Explain_KeyTheCallerCannotSee_IsNull()
    {
        var owner = await app.NewUserAsync();
        var stranger = await app.NewUserAsync();
        var key = await CreateKeyAsync(owner, owner.OrganizationId, scopes: ["orders:read"]);

        Assert.Null(await Explainer(e => e.ExplainAsync(stranger.Caller(), key, new AccessQuestion("GET", "/orders/1"))));
        Assert.Null(await Explainer(e => e.EffectiveAsync(stranger.Caller(), key)));
    }

    [Fact]
    public async Task Explain_BadQuestion_NamesTheFields()
    {
        var owner = await app.NewUserAsync();
        var key = await CreateKeyAsync(owner, owner.OrganizationId, scopes: ["orders:read"]);

        var rules = await Assert.ThrowsAsync<InvalidRequestException>(() => ExplainAsync(owner, key, new AccessQuestion("FETCH", "orders", Resource: "not a resource")));
        var scope = await Assert.ThrowsAsync<InvalidRequestException>(() => ExplainAsync(owner, key, new AccessQuestion(null, null, "Orders")));

        Assert.Equal(["method", "path", "resource"], rules.Errors.Keys.Order());
        Assert.Equal(["scope"], scope.Errors.Keys);
    }

    [Fact]
    public async Task Effective_ListsDirectGrantsThenSetGrantsWithOrigin()
    {
        var admin = await app.NewUserAsync();
        var set = await Sets(c => c.CreateAsync(admin.Caller(), admin.OrganizationId, "billing", null, [new Grant("invoices:write")]));
        var key = await CreateKeyAsync(admin, admin.OrganizationId, scopes: ["orders:read"], setIds: [set.Id]);

        var access = await Explainer(e => e.EffectiveAsync(admin.Caller(), key));

        Assert.Equal(["orders:read", "invoices:write"], access!.Grants.Select(g => g.Scope));
        Assert.Equal("billing", access.Grants[1].Origin.SetName);
    }

    private async Task<Guid> CreateKeyAsync(TestUser user, Guid organization, string[]? scopes = null, Grant[]? grants = null, Guid[]? setIds = null)
    {
        var issued = await Keys(c => c.CreateAsync(user.Caller(), new CreateKeyCommand(
            "key " + Guid.NewGuid().ToString("N")[..8], Scopes: scopes, OrganizationId: organization, Grants: grants, PermissionSetIds: setIds)));
        return issued.Key.Id;
    }

    private async Task<AccessExplanation> ExplainAsync(TestUser user, Guid key, AccessQuestion question) =>
        (await Explainer(e => e.ExplainAsync(user.Caller(), key, question)))!;

    private Task<T> Catalog<T>(Func<AccessCatalog, Task<T>> action) => InScope(action);

    private Task<T> Sets<T>(Func<PermissionSetCatalog, Task<T>> action) => InScope(action);

    private Task<T> Keys<T>(Func<KeyCatalog, Task<T>> action) => InScope(action);

    private Task<T> Explainer<T>(Func<AccessExplainer, Task<T>> action) => InScope(action);

    // A fresh scope (and DbContext) per call, as each circuit event has.
    private async Task<T> InScope<TService, T>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = app.Scope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }
}

public sealed class SqliteAccessExplainerTests(SqliteApp app) : AccessExplainerTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlAccessExplainerTests(PostgreSqlApp app) : AccessExplainerTests(app), IClassFixture<PostgreSqlApp>;
