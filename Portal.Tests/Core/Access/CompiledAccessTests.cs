using Portal.Core.Access;
using Portal.Core.Validation;

namespace Portal.Tests.Core.Access;

/// <summary>The evaluator, table-driven: hierarchy, wildcards, resource filters, schedules, default deny.</summary>
public sealed class CompiledAccessTests
{
    private static readonly DateTimeOffset Monday10Utc = new(2026, 6, 1, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("orders:read", "orders:read", "VALID")]
    [InlineData("orders:write", "orders:read", "VALID")]
    [InlineData("orders:admin", "orders:write", "VALID")]
    [InlineData("orders:admin", "orders:read", "VALID")]
    [InlineData("orders:read", "orders:write", "INSUFFICIENT_SCOPE")]
    [InlineData("orders:write", "orders:admin", "INSUFFICIENT_SCOPE")]
    [InlineData("orders:admin", "orders:refund", "INSUFFICIENT_SCOPE")]
    [InlineData("orders:refund", "orders:refund", "VALID")]
    [InlineData("orders:refund", "orders:read", "INSUFFICIENT_SCOPE")]
    [InlineData("orders:*", "orders:refund", "VALID")]
    [InlineData("orders:*", "invoices:read", "INSUFFICIENT_SCOPE")]
    [InlineData("*:read", "invoices:read", "VALID")]
    [InlineData("*:write", "invoices:read", "VALID")]
    [InlineData("*:read", "invoices:write", "INSUFFICIENT_SCOPE")]
    [InlineData("*:*", "anything:goes", "VALID")]
    [InlineData("orders:read", "order:read", "INSUFFICIENT_SCOPE")]
    [InlineData("orders:*:partial", "orders:refund:partial", "VALID")]
    [InlineData("orders:write", "orders:write:own", "INSUFFICIENT_SCOPE")]
    public void Evaluate_ScopeAgainstOneGrant(string granted, string required, string expected)
    {
        var access = AccessCompiler.FromScopes([granted]);

        Assert.Equal(expected, access.Evaluate(required, null, Monday10Utc).Code);
    }

    [Fact]
    public void Evaluate_NoGrants_DeniesEveryScope_ButAuthenticates()
    {
        var access = CompiledAccess.None;

        Assert.Equal(ReasonCodes.InsufficientScope, access.Evaluate("orders:read", null, Monday10Utc).Code);
        Assert.Equal(ReasonCodes.Valid, access.Evaluate([], null, Monday10Utc).Code);
    }

    [Theory]
    [InlineData("asset/eu-17", "VALID")]
    [InlineData("asset/eu-", "VALID")]
    [InlineData("asset/us-17", "RESOURCE_NOT_ALLOWED")]
    [InlineData("assetx/eu-17", "RESOURCE_NOT_ALLOWED")]
    [InlineData("invoice/2026-1", "VALID")]
    [InlineData("invoice", "RESOURCE_NOT_ALLOWED")]
    public void Evaluate_ResourceFilters(string resource, string expected)
    {
        var access = Compile(new Grant("assets:read", ["asset/eu-*", "invoice/*"]));

        Assert.Equal(expected, access.Evaluate("assets:read", resource, Monday10Utc).Code);
    }

    [Fact]
    public void Evaluate_ResourceGivenButGrantUnfiltered_Allows()
    {
        var access = Compile(new Grant("assets:read"));

        Assert.Equal(ReasonCodes.Valid, access.Evaluate("assets:read", "asset/us-1", Monday10Utc).Code);
    }

    [Fact]
    public void Evaluate_SecondGrantAllowsWhatFirstFilters_FirstAllowingGrantDecides()
    {
        var access = Compile(new Grant("assets:read", ["asset/eu-*"]), new Grant("assets:write", ["asset/us-*"]));

        var decision = access.Evaluate("assets:read", "asset/us-3", Monday10Utc);

        Assert.Equal(ReasonCodes.Valid, decision.Code);
        Assert.Equal("assets:write", access.Grants[decision.GrantIndex].Scope);
    }

    [Fact]
    public void Evaluate_GrantOutsideItsWindow_ReportsTimeWindowOverResourceMiss()
    {
        var weekdays = new AccessSchedule(TimeZone: "Europe/Berlin", Windows: [new WeeklyWindow(["mon", "tue", "wed", "thu", "fri"], "08:00", "18:00")]);
        var access = Compile(new Grant("assets:read", ["asset/eu-*"]), new Grant("assets:read", Schedule: weekdays));
        var sunday = new DateTimeOffset(2026, 6, 7, 10, 0, 0, TimeSpan.Zero);

        Assert.Equal(ReasonCodes.OutsideTimeWindow, access.Evaluate("assets:read", "asset/us-1", sunday).Code);
        Assert.Equal(ReasonCodes.Valid, access.Evaluate("assets:read", "asset/us-1", Monday10Utc).Code);
        Assert.Equal(ReasonCodes.Valid, access.Evaluate("assets:read", "asset/eu-1", sunday).Code);
    }

    [Fact]
    public void Evaluate_KeyScheduleClosed_DeniesEvenAuthentication()
    {
        var access = new AccessCompiler().Compile(["orders:read"], [], new AccessSchedule(NotBefore: Monday10Utc.AddDays(1)), []);

        Assert.Equal(ReasonCodes.OutsideTimeWindow, access.Evaluate([], null, Monday10Utc).Code);
        Assert.Equal(ReasonCodes.OutsideTimeWindow, access.Evaluate("orders:read", null, Monday10Utc).Code);
        Assert.Equal(ReasonCodes.Valid, access.Evaluate("orders:read", null, Monday10Utc.AddDays(2)).Code);
    }

    [Fact]
    public void Compile_SetGrants_CarryTheirOrigin_AndSameContentIsShared()
    {
        var compiler = new AccessCompiler();
        var set = new SetGrants(Guid.NewGuid(), "Readers", 3, [new Grant("orders:read")]);

        var first = compiler.Compile([], [], null, [set]);
        var second = compiler.Compile([], [], null, [set]);

        Assert.Same(first, second);
        Assert.Equal("permission set 'Readers' v3", first.Grants[0].Origin.ToString());
        Assert.Equal(["orders:read"], first.Scopes);
    }

    [Fact]
    public void FiltersFor_Scope_UnionOfCoveringGrants_OrNullWhenOneIsUnlimited()
    {
        var limited = Compile(new Grant("assets:read", ["asset/eu-*"]), new Grant("assets:write", ["asset/us-*"]), new Grant("orders:read"));
        var unlimited = Compile(new Grant("assets:read", ["asset/eu-*"]), new Grant("assets:admin"));

        var filters = limited.FiltersFor("assets:read", Monday10Utc);

        Assert.NotNull(filters);
        Assert.Equal(["asset/eu-*", "asset/us-*"], filters.Single().Resources);
        Assert.Null(limited.FiltersFor("orders:read", Monday10Utc));
        Assert.Null(unlimited.FiltersFor("assets:read", Monday10Utc));
        Assert.Equal(2, limited.FiltersFor(null, Monday10Utc)!.Count);
    }

    [Fact]
    public void FiltersFor_NoScope_LeavesOutLimitedGrantsAnOpenUnlimitedOneCovers()
    {
        var access = Compile(new Grant("orders:read", ["order/eu-*"]), new Grant("orders:write"), new Grant("assets:read", ["asset/eu-*"]));

        var filters = access.FiltersFor(null, Monday10Utc);

        Assert.Equal(["assets:read"], filters!.Select(f => f.Scope));
    }

    [Theory]
    [InlineData(null, "RESOURCE_NOT_ALLOWED")]
    [InlineData("asset/eu-1", "VALID")]
    [InlineData("asset/us-1", "RESOURCE_NOT_ALLOWED")]
    public void Evaluate_EnforcingResourceFilters_LimitedGrantOpensOnlyANamedMatchingResource(string? resource, string expected)
    {
        var access = Compile(new Grant("assets:read", ["asset/eu-*"]));

        Assert.Equal(expected, access.Evaluate("assets:read", resource, Monday10Utc, enforceResourceFilters: true).Code);
        Assert.Equal(resource is null ? "VALID" : expected, access.Evaluate("assets:read", resource, Monday10Utc).Code);
    }

    [Fact]
    public void OpenAt_ListsUnconditionalScopesNow_AndFiltersForLimitedOnes()
    {
        var weekdays = new AccessSchedule(TimeZone: "Europe/Berlin", Windows: [new WeeklyWindow(["mon", "tue", "wed", "thu", "fri"], "08:00", "18:00")]);
        var access = new AccessCompiler().Compile(
            ["orders:read"],
            [new Grant("orders:write", Schedule: weekdays), new Grant("assets:read", ["asset/eu-*", "asset/ch-*"]), new Grant("invoices:read", ["invoice/2026-*"], weekdays)],
            null,
            []);
        var sunday = new DateTimeOffset(2026, 6, 7, 1, 0, 0, TimeSpan.Zero);

        var monday = access.OpenAt(Monday10Utc);
        var closed = access.OpenAt(sunday);

        Assert.Equal(["orders:read", "orders:write"], monday.Scopes);
        Assert.Equal(["assets:read", "invoices:read"], monday.Filters.Select(f => f.Scope));
        Assert.Equal(["asset/eu-*", "asset/ch-*"], monday.Filters[0].Resources);
        Assert.Equal(["orders:read"], closed.Scopes);
        Assert.Equal(["assets:read"], closed.Filters.Select(f => f.Scope));
        Assert.True(access.HasSchedules);
        // The open set is rebuilt only when a schedule opened or closed.
        Assert.Same(closed, access.OpenAt(sunday.AddMinutes(30)));
        Assert.Equal(["orders:read", "orders:write"], access.OpenAt(Monday10Utc.AddHours(1)).Scopes);
    }

    [Fact]
    public void OpenAt_NoSchedules_IsComputedOnce()
    {
        var access = Compile(new Grant("orders:read"), new Grant("assets:read", ["asset/eu-*"]));

        Assert.False(access.HasSchedules);
        Assert.Same(access.OpenAt(Monday10Utc), access.OpenAt(Monday10Utc.AddDays(3)));
        Assert.Equal(["orders:read"], access.OpenAt(Monday10Utc).Scopes);
    }

    [Fact]
    public void OpenAt_KeyScheduleClosed_HoldsNothing()
    {
        var access = new AccessCompiler().Compile(["orders:read"], [new Grant("assets:read", ["asset/eu-*"])], new AccessSchedule(NotBefore: Monday10Utc.AddDays(1)), []);

        Assert.Same(OpenAccess.Nothing, access.OpenAt(Monday10Utc));
        Assert.Null(access.FiltersFor(null, Monday10Utc));
        Assert.Null(access.FiltersFor("assets:read", Monday10Utc));
        Assert.Equal(["orders:read"], access.OpenAt(Monday10Utc.AddDays(2)).Scopes);
    }

    private static CompiledAccess Compile(params Grant[] grants) => new AccessCompiler().Compile([], grants, null, []);
}
