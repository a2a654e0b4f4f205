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

        await expiry.ExpireDueAsync(CancellationToken.None);
        await expiry.ExpireDueAsync(CancellationToken.None);

        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.Equal(KeyStatus.Expired, (await db.ApiKeys.SingleAsync(k => k.Id == due.Key.Id)).Status);
        Assert.Equal(KeyStatus.Active, (await db.ApiKeys.SingleAsync(k => k.Id == later.Key.Id)).Status);
        var records = await db.AuditRecords.Where(a => a.TargetId == due.Key.Id.ToString() && a.Action == AuditActions.KeyExpired).ToListAsync();
        Assert.Equal("system", Assert.Single(records).Actor);
        var result = await app.Services.GetRequiredService<KeyValidator>().ValidateAsync(due.Token, default);
        Assert.Equal(ReasonCodes.Expired, result.Code);
    }
}

public sealed class SqliteKeyExpiryTests(SqliteApp app) : KeyExpiryTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlKeyExpiryTests(PostgreSqlApp app) : KeyExpiryTests(app), IClassFixture<PostgreSqlApp>;
