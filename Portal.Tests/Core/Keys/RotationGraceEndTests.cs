using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Validation;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Keys;

public abstract class RotationGraceEndTests(PortalApp app)
{
    [Fact]
    public async Task Run_GracePassed_RetiresOldTokenAndAuditsOnce()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        var rotated = await app.RotateAsync(owner, issued.Key.Id, TimeSpan.FromHours(1));

        Assert.Equal(0, await RetiredOfAsync(issued.Key.Id));
        await app.RunJobAsync<RotationGraceEnd>();
        Assert.Null((await app.ReadKeyAsync(issued.Key.Id)).Secrets.Single(s => s.Hint == issued.Key.Hint).RetiredAt);

        app.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        await Task.WhenAll(app.RunJobAsync<RotationGraceEnd>(), app.RunJobAsync<RotationGraceEnd>());
        await app.RunJobAsync<RotationGraceEnd>();

        var key = await app.ReadKeyAsync(issued.Key.Id);
        Assert.NotNull(key.Secrets.Single(s => s.Hint == issued.Key.Hint).RetiredAt);
        Assert.Null(key.Secrets.Single(s => s.Hint == rotated.Key.Hint).RetiredAt);
        Assert.Equal(1, await RetiredOfAsync(issued.Key.Id));
        var validator = app.Services.GetRequiredService<KeyValidator>();
        Assert.Equal(ReasonCodes.Expired, (await validator.ValidateAsync(issued.Token, default)).Code);
        Assert.Equal(ReasonCodes.Valid, (await validator.ValidateAsync(rotated.Token, default)).Code);
    }

    private async Task<int> RetiredOfAsync(Guid keyId)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditRecords
            .CountAsync(a => a.Action == AuditActions.KeyGraceEnded && a.TargetId == keyId.ToString());
    }
}

public sealed class SqliteRotationGraceEndTests(SqliteApp app) : RotationGraceEndTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlRotationGraceEndTests(PostgreSqlApp app) : RotationGraceEndTests(app), IClassFixture<PostgreSqlApp>;
