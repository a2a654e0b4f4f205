using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Validation;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Audit;

/// <summary>
/// The authentication log and audit queries cover a bounded time range and stop at a row budget,
/// saying "more results: narrow the filter" rather than reading on.
/// </summary>
public abstract class LogQueryLimitsTests(PortalApp app)
{
    [Fact]
    public async Task List_RangeLongerThanTheMaximum_IsRefusedNamingFrom()
    {
        var owner = await app.NewUserAsync();
        var now = app.Clock.GetUtcNow();
        await using var scope = app.Scope();
        var query = Query(scope, new LogQueryOptions());

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() =>
            query.ListAsync(owner.Caller(), new AuthenticationLogFilter(owner.OrganizationId, From: now.AddDays(-31).AddSeconds(-1), To: now)));
        var atMaximum = await query.ListAsync(owner.Caller(), new AuthenticationLogFilter(owner.OrganizationId, From: now.AddDays(-31), To: now));

        Assert.Contains("31 days", error.Errors["from"][0], StringComparison.Ordinal);
        Assert.False(atMaximum.StoppedAtBudget);
    }

    [Fact]
    public async Task List_NoStart_CoversTheMaximumRangeBeforeNow()
    {
        var owner = await app.NewUserAsync();
        var keyId = Guid.NewGuid();
        var now = Now();
        await WriteAsync(owner, keyId, [now.AddDays(-40), now.AddDays(-1)]);
        await using var scope = app.Scope();

        var page = await Query(scope, new LogQueryOptions()).ListAsync(owner.Caller(), new AuthenticationLogFilter(owner.OrganizationId, KeyId: keyId));

        Assert.Equal(now.AddDays(-1), Assert.Single(page.Items).OccurredAt);
        Assert.False(page.StoppedAtBudget);
    }

    [Fact]
    public async Task List_FilterMatchingNothing_StopsAtTheScanBudgetAndSaysSo()
    {
        var owner = await app.NewUserAsync();
        var keyId = Guid.NewGuid();
        var now = Now();
        await WriteAsync(owner, keyId, [.. Enumerable.Range(1, 20).Select(i => now.AddMinutes(-i))]);
        await using var scope = app.Scope();

        var page = await Query(scope, new LogQueryOptions { PageScanBudget = 5 })
            .ListAsync(owner.Caller(), new AuthenticationLogFilter(owner.OrganizationId, KeyId: keyId, Path: "/matches-nothing"));

        Assert.Empty(page.Items);
        Assert.True(page.StoppedAtBudget);
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task List_BudgetSpentAfterSomeMatches_ShowsThemAndGoesOnFromTheLast()
    {
        var owner = await app.NewUserAsync();
        var keyId = Guid.NewGuid();
        var now = Now();
        var times = Enumerable.Range(1, 20).Select(i => now.AddMinutes(-i)).ToArray();
        await WriteAsync(owner, keyId, times);
        await using var scope = app.Scope();
        var query = Query(scope, new LogQueryOptions { PageScanBudget = 8 });

        var first = await query.ListAsync(owner.Caller(), new AuthenticationLogFilter(owner.OrganizationId, KeyId: keyId));
        var second = await query.ListAsync(owner.Caller(), new AuthenticationLogFilter(owner.OrganizationId, KeyId: keyId, Cursor: first.NextCursor));

        Assert.True(first.StoppedAtBudget);
        Assert.NotEmpty(first.Items);
        Assert.True(first.Items.Count < times.Length);
        Assert.Equal(times.Take(first.Items.Count), first.Items.Select(r => r.OccurredAt));
        Assert.Equal(times.Skip(first.Items.Count).First(), second.Items[0].OccurredAt);
    }

    [Fact]
    public async Task ExportCsv_MoreRowsThanTheBudget_EndsWithTheNarrowTheFilterLine()
    {
        var owner = await app.NewUserAsync();
        var keyId = Guid.NewGuid();
        var now = Now();
        await WriteAsync(owner, keyId, [.. Enumerable.Range(1, 5).Select(i => now.AddMinutes(-i))]);
        await using var scope = app.Scope();

        var cut = await Query(scope, new LogQueryOptions { ExportRowBudget = 3 })
            .ExportCsvAsync(owner.Caller(), new AuthenticationLogFilter(owner.OrganizationId, KeyId: keyId)).ToListAsync();
        var whole = await Query(scope, new LogQueryOptions { ExportRowBudget = 5 })
            .ExportCsvAsync(owner.Caller(), new AuthenticationLogFilter(owner.OrganizationId, KeyId: keyId)).ToListAsync();

        Assert.Equal(1 + 3 + 1, cut.Count);
        Assert.Equal(AuthenticationLogQuery.ExportStoppedLine, cut[^1]);
        Assert.Contains("narrow the filter", cut[^1], StringComparison.Ordinal);
        Assert.Equal(1 + 5, whole.Count);
        Assert.DoesNotContain(AuthenticationLogQuery.ExportStoppedLine, whole);
    }

    [Fact]
    public async Task ExportCsv_ScanBudgetSpent_EndsWithTheNarrowTheFilterLine()
    {
        var owner = await app.NewUserAsync();
        var keyId = Guid.NewGuid();
        var now = Now();
        await WriteAsync(owner, keyId, [.. Enumerable.Range(1, 10).Select(i => now.AddMinutes(-i))]);
        await using var scope = app.Scope();

        var lines = await Query(scope, new LogQueryOptions { ExportScanBudget = 4 })
            .ExportCsvAsync(owner.Caller(), new AuthenticationLogFilter(owner.OrganizationId, KeyId: keyId, Outcome: "denied")).ToListAsync();

        Assert.Equal(["occurred_at,key_id,key_hint,code,door,method,path,client_ip,user_agent,latency_us,count,scope,rule", AuthenticationLogQuery.ExportStoppedLine], lines);
    }

    [Fact]
    public async Task AuditSearch_PastTheRowBudget_SaysSoAndRefusesDeeperPages()
    {
        var owner = await app.NewUserAsync();
        for (var i = 0; i < 3; i++)
        {
            await app.CreateKeyAsync(owner, new CreateKeyCommand($"audited {i}", Scopes: ["orders:read"]));
        }

        await using var scope = app.Scope();
        var audit = ActivatorUtilities.CreateInstance<AuditQuery>(scope.ServiceProvider, Options.Create(new LogQueryOptions { AuditRowBudget = 2 }));

        var first = await audit.SearchAsync(owner.Caller(), new AuditFilter(owner.OrganizationId, Limit: 2));
        var deeper = await Assert.ThrowsAsync<InvalidRequestException>(() => audit.SearchAsync(owner.Caller(), new AuditFilter(owner.OrganizationId, Offset: 2, Limit: 2)));
        var tooLong = await Assert.ThrowsAsync<InvalidRequestException>(() =>
            audit.SearchAsync(owner.Caller(), new AuditFilter(owner.OrganizationId, From: app.Clock.GetUtcNow().AddDays(-32))));

        Assert.Equal(2, first.Items.Count);
        Assert.False(first.HasMore);
        Assert.True(first.StoppedAtBudget);
        Assert.Contains("offset", deeper.Errors.Keys);
        Assert.Contains("from", tooLong.Errors.Keys);
    }

    // Whole seconds, so the times read back compare equal on every database.
    private DateTimeOffset Now() => new(app.Clock.GetUtcNow().UtcTicks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static AuthenticationLogQuery Query(AsyncServiceScope scope, LogQueryOptions options) =>
        ActivatorUtilities.CreateInstance<AuthenticationLogQuery>(scope.ServiceProvider, Options.Create(options));

    /// <summary>One allowed decision of the key at each time, each in its own segment (as single requests are stored).</summary>
    private async Task WriteAsync(TestUser owner, Guid keyId, DateTimeOffset[] times)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        foreach (var at in times)
        {
            await StoredLog.AddBatchAsync(db, new AuthenticationLogEntry(
                at, keyId, owner.OrganizationId, owner.User.Id, "pk_test_abcd…wxyz", ReasonCodes.Valid, Doors.Check, "GET", "/orders/7", "203.0.113.9", "tests", 5));
        }
    }
}

public sealed class SqliteLogQueryLimitsTests(SqliteApp app) : LogQueryLimitsTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlLogQueryLimitsTests(PostgreSqlApp app) : LogQueryLimitsTests(app), IClassFixture<PostgreSqlApp>;
