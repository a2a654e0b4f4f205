using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Core.Validation;
using Portal.Tests.Auth;
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
        await app.AddRuleAsync(admin, "GET", "/orders/{id}", "orders:read");
        await app.AddRuleAsync(admin, "POST", "/orders/{id}/refund", "orders:refund");
        var api = (await app.ApiAsync(admin)).Id;
        var set = await Sets(c => c.CreateAsync(admin.Caller(), organization, "order readers", null, [new Grant("orders:read")]));
        var key = await CreateKeyAsync(admin, organization, setIds: [set.Id]);

        var allowed = await ExplainAsync(admin, key, new AccessQuestion("GET", "/orders/42", ApiId: api));
        var refused = await ExplainAsync(admin, key, new AccessQuestion("POST", "/orders/42/refund", ApiId: api));

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
    public async Task Explain_UnmatchedPath_DeniedUntilTheApiAllowsAnyValidKey()
    {
        var admin = await app.NewUserAsync();
        var api = (await app.ApiAsync(admin)).Id;
        var key = await CreateKeyAsync(admin, admin.OrganizationId, scopes: ["orders:read"]);

        var denied = await ExplainAsync(admin, key, new AccessQuestion("GET", "/elsewhere", ApiId: api));
        await app.AllowUnmatchedAsync(admin);
        var allowed = await ExplainAsync(admin, key, new AccessQuestion("GET", "/elsewhere", ApiId: api));

        Assert.Equal((ReasonCodes.NoMatchingRule, false, null), (denied.Code, denied.UnmatchedAllowed, denied.Rule));
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
    public async Task Explain_Allowed_ReportsWhatTheDoorsForwardAtThatMoment()
    {
        var admin = await app.NewUserAsync();
        var weekdays = new AccessSchedule(TimeZone: "Europe/Berlin", Windows: [new WeeklyWindow(["mon", "tue", "wed", "thu", "fri"], "09:00", "17:00")]);
        var key = await CreateKeyAsync(admin, admin.OrganizationId, scopes: ["orders:read"],
            grants: [new Grant("orders:write", Schedule: weekdays), new Grant("assets:read", ["asset/eu-*"])]);
        var mondayNoon = new DateTimeOffset(2026, 3, 2, 11, 0, 0, TimeSpan.Zero);
        var sundayNoon = new DateTimeOffset(2026, 3, 1, 11, 0, 0, TimeSpan.Zero);

        var monday = await ExplainAsync(admin, key, new AccessQuestion(null, null, "orders:read", At: mondayNoon));
        var sunday = await ExplainAsync(admin, key, new AccessQuestion(null, null, "orders:read", At: sundayNoon));
        var refused = await ExplainAsync(admin, key, new AccessQuestion(null, null, "orders:write", At: sundayNoon));

        Assert.Equal(["orders:read", "orders:write"], monday.Forwarded!.Scopes);
        Assert.Equal(["orders:read"], sunday.Forwarded!.Scopes);
        Assert.Equal(["assets:read"], sunday.Forwarded.Filters.Select(f => f.Scope));
        Assert.Equal(ReasonCodes.OutsideTimeWindow, refused.Code);
        Assert.Null(refused.Forwarded);
    }

    [Fact]
    public async Task Explain_RevokedKey_IsRevokedBeforeAnyRule()
    {
        var owner = await app.NewUserAsync();
        var key = await CreateKeyAsync(owner, owner.OrganizationId, scopes: ["orders:read"]);
        await app.AllowUnmatchedAsync(owner);
        await Keys(c => c.RevokeAsync(owner.Caller(), key));

        var revoked = await ExplainAsync(owner, key, new AccessQuestion("GET", "/anything", ApiId: (await app.ApiAsync(owner)).Id));

        Assert.Equal((ReasonCodes.Revoked, false, null), (revoked.Code, revoked.UnmatchedAllowed, revoked.Grant));
    }

    [Fact]
    public async Task Explain_KeyTheCallerCannotSee_IsNull()
    {
        var owner = await app.NewUserAsync();
        var stranger = await app.NewUserAsync();
        var key = await CreateKeyAsync(owner, owner.OrganizationId, scopes: ["orders:read"]);
        var api = (await app.ApiAsync(owner)).Id;

        Assert.Null(await Explainer(e => e.ExplainAsync(stranger.Caller(), key, new AccessQuestion("GET", "/orders/1", ApiId: api))));
        Assert.Null(await Explainer(e => e.EffectiveAsync(stranger.Caller(), key)));
    }

    [Fact]
    public async Task Explain_BadQuestion_NamesTheFields()
    {
        var owner = await app.NewUserAsync();
        var key = await CreateKeyAsync(owner, owner.OrganizationId, scopes: ["orders:read"]);

        var api = (await app.ApiAsync(owner)).Id;

        var rules = await Assert.ThrowsAsync<InvalidRequestException>(() => ExplainAsync(owner, key, new AccessQuestion("GE T", "orders", Resource: "not a resource", ApiId: api)));
        var scope = await Assert.ThrowsAsync<InvalidRequestException>(() => ExplainAsync(owner, key, new AccessQuestion(null, null, "Orders")));
        var noApi = await Assert.ThrowsAsync<InvalidRequestException>(() => ExplainAsync(owner, key, new AccessQuestion("GET", "/orders/1")));

        Assert.Equal(["method", "path", "resource"], rules.Errors.Keys.Order());
        Assert.Equal(["scope"], scope.Errors.Keys);
        Assert.Equal(["apiId"], noApi.Errors.Keys);
    }

    [Fact]
    public async Task Explain_AnotherOrganizationsOrUnknownApi_IsRefused()
    {
        var owner = await app.NewUserAsync();
        var stranger = await app.NewUserAsync();
        var key = await CreateKeyAsync(owner, owner.OrganizationId, scopes: ["orders:read"]);
        await app.AllowUnmatchedAsync(stranger);

        foreach (var api in new[] { (await app.ApiAsync(stranger)).Id, Guid.NewGuid() })
        {
            var error = await Assert.ThrowsAsync<InvalidRequestException>(() => ExplainAsync(owner, key, new AccessQuestion("GET", "/orders/1", ApiId: api)));
            Assert.Equal(["apiId"], error.Errors.Keys);
        }
    }

    [Fact]
    public async Task Explain_KeyLimitedToAnotherApi_IsApiNotAllowedBeforeAnyRule()
    {
        var owner = await app.NewUserAsync();
        await app.AddRuleAsync(owner, "GET", "/orders/{id}", "orders:read");
        var api = (await app.ApiAsync(owner)).Id;
        var other = await Apis(c => c.CreateAsync(owner.Caller(), owner.OrganizationId, new ApiDraft("billing", Environments: ApiEnvironments.Both)));
        var key = await CreateKeyAsync(owner, owner.OrganizationId, scopes: ["orders:read"]);
        await LimitAsync(key, other.Id);

        var here = await ExplainAsync(owner, key, new AccessQuestion("GET", "/orders/1", ApiId: api));
        var there = await ExplainAsync(owner, key, new AccessQuestion(null, null, "orders:read", ApiId: other.Id));

        Assert.Equal((ReasonCodes.ApiNotAllowed, null, false, null), (here.Code, here.Rule, here.UnmatchedAllowed, here.Grant));
        Assert.Equal(ReasonCodes.Valid, there.Code);
    }

    [Fact]
    public async Task Explain_ApiNotAcceptingTheKeysEnvironment_IsEnvironmentNotAllowed()
    {
        var owner = await app.NewUserAsync();
        var liveOnly = await Apis(c => c.CreateAsync(owner.Caller(), owner.OrganizationId, new ApiDraft("live only", AllowUnmatchedRequests: true)));
        var testKey = await CreateKeyAsync(owner, owner.OrganizationId, scopes: ["orders:read"]);

        var refused = await ExplainAsync(owner, testKey, new AccessQuestion("GET", "/orders/1", ApiId: liveOnly.Id));
        var byScope = await ExplainAsync(owner, testKey, new AccessQuestion(null, null, "orders:read", ApiId: liveOnly.Id));

        Assert.Equal((ReasonCodes.EnvironmentNotAllowed, false), (refused.Code, refused.UnmatchedAllowed));
        Assert.Equal(ReasonCodes.EnvironmentNotAllowed, byScope.Code);
    }

    [Theory]
    [InlineData("GET", "/orders/../admin")]
    [InlineData("GET", "/orders//1")]
    [InlineData("GET", "/orders/%2e%2e/admin")]
    [InlineData("GET", "/orders;x=1/1")]
    [InlineData("GET", "/orders/1%2Fadmin")]
    public async Task Explain_TargetNotCanonical_IsPathNotCanonicalEvenWhenUnmatchedAreAllowed(string method, string path)
    {
        var owner = await app.NewUserAsync();
        await app.AllowUnmatchedAsync(owner);
        var key = await CreateKeyAsync(owner, owner.OrganizationId, scopes: ["orders:read"]);

        var refused = await ExplainAsync(owner, key, new AccessQuestion(method, path, ApiId: (await app.ApiAsync(owner)).Id));

        Assert.Equal((ReasonCodes.PathNotCanonical, null, false), (refused.Code, refused.Rule, refused.UnmatchedAllowed));
    }

    [Fact]
    public async Task Explain_PathSpelledOtherwise_IsDecidedInItsCanonicalForm()
    {
        var owner = await app.NewUserAsync();
        await app.AddRuleAsync(owner, "GET", "/orders/export", "orders:admin");
        await app.AddRuleAsync(owner, "GET", "/orders/{id}", "orders:read");
        var key = await CreateKeyAsync(owner, owner.OrganizationId, scopes: ["orders:read"]);
        var api = (await app.ApiAsync(owner)).Id;

        var escaped = await ExplainAsync(owner, key, new AccessQuestion("GET", "/orders/%65xport?as=csv", ApiId: api));
        var otherCase = await ExplainAsync(owner, key, new AccessQuestion("HEAD", "/ORDERS/Export", ApiId: api));

        Assert.Equal((ReasonCodes.InsufficientScope, "/orders/export"), (escaped.Code, escaped.Rule?.Template));
        Assert.Equal((ReasonCodes.InsufficientScope, "/orders/export"), (otherCase.Code, otherCase.Rule?.Template));
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

    private Task<T> Apis<T>(Func<ApiCatalog, Task<T>> action) => InScope(action);

    // Keys are limited to APIs directly in the database: that is all the validator reads.
    private async Task LimitAsync(Guid keyId, params Guid[] apiIds)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var key = await db.ApiKeys.SingleAsync(k => k.Id == keyId);
        key.ApiIds = [.. apiIds];
        await db.SaveChangesAsync();
    }

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
