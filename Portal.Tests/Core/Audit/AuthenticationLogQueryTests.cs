using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Core.Usage;
using Portal.Core.Validation;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Audit;

/// <summary>What the portal's authentication log and usage views show, and to whom.</summary>
public abstract class AuthenticationLogQueryTests(PortalApp app)
{
    [Fact]
    public async Task List_OwnerAfterAllowedAndDeniedChecks_SeesBothAndFiltersByOutcome()
    {
        var (owner, keyId, token) = await OwnerWithCheckedKeyAsync();

        var all = await ListAsync(owner.Caller(), new AuthenticationLogFilter(owner.OrganizationId, KeyId: keyId));
        var denied = await ListAsync(owner.Caller(), new AuthenticationLogFilter(owner.OrganizationId, KeyId: keyId, Outcome: "denied"));
        var allowed = await ListAsync(owner.Caller(), new AuthenticationLogFilter(owner.OrganizationId, KeyId: keyId, Outcome: ReasonCodes.Valid));

        Assert.Equal(2, all.Items.Count);
        Assert.Equal(ReasonCodes.InsufficientScope, Assert.Single(denied.Items).Code);
        Assert.Equal("/orders/7", Assert.Single(allowed.Items).Path);
        Assert.All(all.Items, r => Assert.DoesNotContain(token, r.KeyHint ?? ""));
    }

    [Fact]
    public async Task List_PagesWithCursor_ReturnEveryRecordOnce()
    {
        var (owner, keyId, _) = await OwnerWithCheckedKeyAsync(extraChecks: 3);

        var first = await ListAsync(owner.Caller(), new AuthenticationLogFilter(owner.OrganizationId, KeyId: keyId, Limit: 2));
        var second = await ListAsync(owner.Caller(), new AuthenticationLogFilter(owner.OrganizationId, KeyId: keyId, Limit: 2, Cursor: first.NextCursor));
        var third = await ListAsync(owner.Caller(), new AuthenticationLogFilter(owner.OrganizationId, KeyId: keyId, Limit: 2, Cursor: second.NextCursor));

        var ids = first.Items.Concat(second.Items).Concat(third.Items).Select(r => r.Id).ToList();
        Assert.Equal(5, ids.Distinct().Count());
        Assert.Null(third.NextCursor);
        Assert.True(first.Items[0].OccurredAt >= first.Items[1].OccurredAt);
    }

    [Fact]
    public async Task List_OverlappingSegmentsOfSeveralKeys_PagesNewestFirstAcrossThemAndCutsByTime()
    {
        var owner = await app.NewUserAsync();
        Guid[] keys = [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()];
        var start = app.Clock.GetUtcNow().AddHours(-1);
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            for (var batch = 0; batch < 3; batch++)
            {
                // Every key in every batch, so the keys' segments overlap in time; pairs share an instant.
                await StoredLog.AddBatchAsync(db, [.. Enumerable.Range(0, 10).Select(i => new AuthenticationLogEntry(
                    start.AddSeconds(batch).AddMilliseconds(i / 2 * 100), keys[i % 3], owner.OrganizationId, owner.User.Id,
                    null, ReasonCodes.Valid, Doors.Check, "GET", $"/overlap/{batch}/{i}", "10.0.0.1", "tests", 5))]);
            }
        }

        var all = await ListAsync(owner.Caller(), new AuthenticationLogFilter(owner.OrganizationId, Limit: AuthenticationLogQuery.MaxPageSize));
        Assert.Equal(30, all.Items.Count);
        var expected = all.Items.OrderByDescending(r => r.OccurredAt).ThenByDescending(r => r.Id).Select(r => r.Id).ToList();
        Assert.Equal(expected, all.Items.Select(r => r.Id));

        var paged = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await ListAsync(owner.Caller(), new AuthenticationLogFilter(owner.OrganizationId, Limit: 4, Cursor: cursor));
            paged.AddRange(page.Items.Select(r => r.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(expected, paged);

        var from = start.AddSeconds(1).AddMilliseconds(200);
        var to = start.AddSeconds(2).AddMilliseconds(300);
        var cut = await ListAsync(owner.Caller(), new AuthenticationLogFilter(owner.OrganizationId, From: from, To: to, Limit: AuthenticationLogQuery.MaxPageSize));
        Assert.Equal(all.Items.Where(r => r.OccurredAt >= from && r.OccurredAt < to).Select(r => r.Id), cut.Items.Select(r => r.Id));
        Assert.Equal(12, cut.Items.Count);
    }

    [Fact]
    public async Task List_DeveloperOfTheOrganization_SeesOnlyOwnKeysRecords()
    {
        var (owner, _, _) = await OwnerWithCheckedKeyAsync();
        var developer = await app.NewUserAsync();
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            db.Memberships.Add(new Membership { OrganizationId = owner.OrganizationId, UserId = developer.User.Id, Role = OrganizationRole.Developer });
            await db.SaveChangesAsync();
        }

        var page = await ListAsync(developer.Caller(), new AuthenticationLogFilter(owner.OrganizationId));

        Assert.Empty(page.Items);
    }

    [Fact]
    public async Task List_NonMember_SeesNothing()
    {
        var (owner, _, _) = await OwnerWithCheckedKeyAsync();
        var stranger = await app.NewUserAsync();

        var page = await ListAsync(stranger.Caller(), new AuthenticationLogFilter(owner.OrganizationId));

        Assert.Empty(page.Items);
    }

    [Fact]
    public async Task List_StartAfterEnd_IsRefusedNamingFrom()
    {
        var owner = await app.NewUserAsync();
        var now = app.Clock.GetUtcNow();

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() =>
            ListAsync(owner.Caller(), new AuthenticationLogFilter(owner.OrganizationId, From: now, To: now.AddHours(-1))));

        Assert.Contains("from", error.Errors.Keys);
    }

    [Fact]
    public async Task ExportCsv_FilteredView_HasHeaderOneLinePerRecordAndNeutralizedFormulas()
    {
        var (owner, keyId, token) = await OwnerWithCheckedKeyAsync(userAgent: "=HYPERLINK(\"x\")");
        await using var scope = app.Scope();
        var query = scope.ServiceProvider.GetRequiredService<AuthenticationLogQuery>();

        var lines = await query.ExportCsvAsync(owner.Caller(), new AuthenticationLogFilter(owner.OrganizationId, KeyId: keyId)).ToListAsync();

        Assert.StartsWith("occurred_at,key_id,key_hint,code", lines[0]);
        Assert.Equal(3, lines.Count);
        Assert.All(lines.Skip(1), line => Assert.Contains("\"'=HYPERLINK(\"\"x\"\")\"", line));
        Assert.All(lines, line => Assert.DoesNotContain(token, line));
    }

    [Fact]
    public async Task ExportCsv_FoldedKeylessDecisions_CarryTheirCountInTheCountColumn()
    {
        var owner = await app.NewUserAsync();
        await using var scope = app.Scope();
        var now = app.Clock.GetUtcNow();
        await StoredLog.AddBatchAsync(scope.ServiceProvider.GetRequiredService<PortalDbContext>(),
            new AuthenticationLogEntry(now.AddMinutes(-2), null, owner.OrganizationId, null, null, ReasonCodes.NotFound, Doors.Check, "GET", "/flood", "203.0.113.66", "bot", 3, Count: 10_000),
            new AuthenticationLogEntry(now.AddMinutes(-3), null, owner.OrganizationId, null, null, ReasonCodes.Malformed, Doors.Check, "GET", "/single", "203.0.113.67", "bot", 3));

        var lines = await scope.ServiceProvider.GetRequiredService<AuthenticationLogQuery>()
            .ExportCsvAsync(owner.Caller(), new AuthenticationLogFilter(owner.OrganizationId, From: now.AddHours(-1))).ToListAsync();

        Assert.EndsWith(",latency_us,count,scope,rule", lines[0]);
        // Keyless decisions name no scope or rule: the two last columns are empty, count is before them.
        Assert.Equal(["10000,,", "1,,"], lines.Skip(1).Select(l => string.Join(',', l.Split(',')[^3..])));
    }

    [Fact]
    public async Task KeyMinutes_AfterFlush_CountsAllowedAndDeniedByCode()
    {
        var (owner, keyId, _) = await OwnerWithCheckedKeyAsync();
        await app.Services.GetRequiredService<UsageFlusher>().FlushAsync(CancellationToken.None);
        await using var scope = app.Scope();
        var usage = scope.ServiceProvider.GetRequiredService<UsageQuery>();

        var points = await usage.KeyMinutesAsync(owner.Caller(), keyId, TimeSpan.FromHours(1));
        var stranger = await app.NewUserAsync();
        var hidden = await usage.KeyMinutesAsync(stranger.Caller(), keyId, TimeSpan.FromHours(1));

        Assert.NotNull(points);
        Assert.Equal(1, points.Where(p => p.Code == ReasonCodes.Valid).Sum(p => p.Count));
        Assert.Equal(1, points.Where(p => p.Code == ReasonCodes.InsufficientScope).Sum(p => p.Count));
        Assert.Null(hidden);
    }

    private async Task<AuthenticationLogPage> ListAsync(Caller caller, AuthenticationLogFilter filter)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<AuthenticationLogQuery>().ListAsync(caller, filter);
    }

    /// <summary>
    /// A user whose key passed one check (GET /orders/7, which needs orders:read) and failed one
    /// (DELETE /orders/7, which needs orders:write), both stored. Sent in the path form, which names
    /// its target whoever the peer is.
    /// </summary>
    private async Task<(TestUser Owner, Guid KeyId, string Token)> OwnerWithCheckedKeyAsync(int extraChecks = 0, string userAgent = "tests")
    {
        var owner = await app.NewUserAsync();
        await app.AddRuleAsync(owner, "GET", "/orders/{id}", "orders:read");
        await app.AddRuleAsync(owner, "DELETE", "/orders/{id}", "orders:write");
        var key = await app.CreateKeyAsync(owner, ["orders:read"]);
        var url = await app.ExtAuthzUrlAsync(owner, "/orders/7");
        var client = app.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", userAgent);
        foreach (var (method, expected) in new[] { (HttpMethod.Get, HttpStatusCode.OK), (HttpMethod.Delete, HttpStatusCode.Forbidden) }
                     .Concat(Enumerable.Repeat((HttpMethod.Get, HttpStatusCode.OK), extraChecks)))
        {
            using var request = new HttpRequestMessage(method, url).WithBearer(key.Token);
            Assert.Equal(expected, (await client.SendAsync(request)).StatusCode);
        }

        await app.WaitForLogAsync(q => q.Where(r => r.KeyId == key.Key.Id), atLeast: 2 + extraChecks);
        return (owner, key.Key.Id, key.Token);
    }
}

public sealed class SqliteAuthenticationLogQueryTests(SqliteApp app) : AuthenticationLogQueryTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlAuthenticationLogQueryTests(PostgreSqlApp app) : AuthenticationLogQueryTests(app), IClassFixture<PostgreSqlApp>;
