using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Validation;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Keys;

public abstract class KeyExpiryTests(PortalApp app)
{
    [Fact]
    public async Task ExpireDue_KeyPastExpiry_IsExpiredAndAuditedOnce()
    {
        var owner = await app.NewUserAsync();
        var due = await app.CreateKeyAsync(owner, ["orders:read"], app.Clock.GetUtcNow().AddMinutes(5));
        var later = await app.CreateKeyAsync(owner, ["orders:read"], app.Clock.GetUtcNow().AddDays(5));
        app.Clock.Advance(TimeSpan.FromMinutes(6));
        var expiry = app.Services.GetRequiredService<KeyExpiry>();

        Assert.True(await expiry.RunAsync(CancellationToken.None) >= 1);
        await expiry.RunAsync(CancellationToken.None);

        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.Equal(KeyStatus.Expired, (await db.ApiKeys.SingleAsync(k => k.Id == due.Key.Id)).Status);
        Assert.Equal(KeyStatus.Active, (await db.ApiKeys.SingleAsync(k => k.Id == later.Key.Id)).Status);
        var records = await db.AuditRecords.Where(a => a.TargetId == due.Key.Id.ToString() && a.Action == AuditActions.KeyExpired).ToListAsync();
        Assert.Equal("system", Assert.Single(records).Actor);
        var result = await app.Services.GetRequiredService<KeyValidator>().ValidateAsync(due.Token, default);
        Assert.Equal(ReasonCodes.Expired, result.Code);
    }

    [Fact]
    public async Task Run_ConcurrentRuns_ExpireEachKeyOnce()
    {
        var owner = await app.NewUserAsync();
        var keys = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            keys.Add((await app.CreateKeyAsync(owner, ["orders:read"], app.Clock.GetUtcNow().AddMinutes(1))).Key.Id);
        }

        app.Clock.Advance(TimeSpan.FromMinutes(2));
        var expiry = app.Services.GetRequiredService<KeyExpiry>();

        await Task.WhenAll(expiry.RunAsync(CancellationToken.None), expiry.RunAsync(CancellationToken.None), expiry.RunAsync(CancellationToken.None));

        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var ids = keys.Select(k => k.ToString()).ToList();
        var records = await db.AuditRecords.Where(a => a.Action == AuditActions.KeyExpired && ids.Contains(a.TargetId!)).ToListAsync();
        Assert.Equal(5, records.Count);
        Assert.Equal(5, records.Select(r => r.TargetId).Distinct().Count());
        Assert.Contains(await db.AuditRecords.Where(a => a.Action == AuditActions.JobCompleted && a.TargetId == KeyExpiry.JobName).ToListAsync(),
            r => r.Details!.Contains("\"expired\""));
    }
}

public sealed class SqliteKeyExpiryTests(SqliteApp app) : KeyExpiryTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlKeyExpiryTests(PostgreSqlApp app) : KeyExpiryTests(app), IClassFixture<PostgreSqlApp>;
