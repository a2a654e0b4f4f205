using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Keys;
using Portal.Core.Validation;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Keys;

/// <summary>Rotation and grace rules through <see cref="KeyCatalog"/> on SQLite, with the app's fake clock.</summary>
public sealed class KeyRotationTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Rotate_WithGrace_BothTokensValidUntilGraceEndsThenOnlyNew()
    {
        var (user, oldToken, keyId) = await NewKeyAsync();

        var rotated = await RotateAsync(user, keyId, TimeSpan.FromHours(1));

        Assert.NotEqual(oldToken, rotated.Token);
        Assert.Equal(keyId, rotated.Key.Id);
        Assert.Equal(ReasonCodes.Valid, await CodeAsync(oldToken));
        Assert.Equal(ReasonCodes.Valid, await CodeAsync(rotated.Token));

        app.Clock.Advance(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(1));
        Assert.Equal(ReasonCodes.Valid, await CodeAsync(oldToken));
        Assert.Equal(ReasonCodes.Valid, await CodeAsync(rotated.Token));

        app.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ReasonCodes.Expired, await CodeAsync(oldToken));
        Assert.Equal(ReasonCodes.Valid, await CodeAsync(rotated.Token));
    }

    [Fact]
    public async Task Rotate_GraceZero_OldTokenStopsAtOnce()
    {
        var (user, oldToken, keyId) = await NewKeyAsync();

        var rotated = await RotateAsync(user, keyId, TimeSpan.Zero);

        Assert.Equal(ReasonCodes.Expired, await CodeAsync(oldToken));
        Assert.Equal(ReasonCodes.Valid, await CodeAsync(rotated.Token));
    }

    [Fact]
    public async Task Rotate_SameIdentityAndPermissions_KeepsScopesAndNewHint()
    {
        var (user, oldToken, keyId) = await NewKeyAsync(["orders:read", "orders:write"]);

        var rotated = await RotateAsync(user, keyId, TimeSpan.FromMinutes(5));

        var result = await ValidateAsync(rotated.Token, new RequestContext("orders:write"));
        Assert.Equal(ReasonCodes.Valid, result.Code);
        Assert.Equal(keyId, result.Key!.KeyId);
        Assert.Equal(["orders:read", "orders:write"], result.Key.Scopes);
        Assert.Equal(ApiKeyToken.Hint(rotated.Token), rotated.Key.Hint);
        var old = await ValidateAsync(oldToken, new RequestContext("orders:write"));
        Assert.Equal(keyId, old.Key!.KeyId);
    }

    [Fact]
    public async Task Rotate_ThirtyDays_IsTheLongestGraceAllowed()
    {
        var (user, oldToken, keyId) = await NewKeyAsync();

        await RotateAsync(user, keyId, TimeSpan.FromDays(30));

        app.Clock.Advance(TimeSpan.FromDays(30) - TimeSpan.FromSeconds(1));
        Assert.Equal(ReasonCodes.Valid, await CodeAsync(oldToken));
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ReasonCodes.Expired, await CodeAsync(oldToken));
    }

    [Theory]
    [InlineData(30 * 24 * 3600 + 1)]
    [InlineData(31 * 24 * 3600)]
    [InlineData(-1)]
    public async Task Rotate_GraceOutsideZeroToThirtyDays_IsRefusedAndChangesNothing(int graceSeconds)
    {
        var (user, oldToken, keyId) = await NewKeyAsync();

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => RotateAsync(user, keyId, TimeSpan.FromSeconds(graceSeconds)));

        Assert.Contains("gracePeriod", error.Errors.Keys);
        Assert.Equal(ReasonCodes.Valid, await CodeAsync(oldToken));
        await using var scope = app.Scope();
        var key = await scope.ServiceProvider.GetRequiredService<KeyCatalog>().FindAsync(user.Caller(), keyId);
        Assert.Single(key!.Secrets);
    }

    [Fact]
    public async Task Rotate_TwiceWithLongerGrace_DoesNotExtendTheFirstToken()
    {
        var (user, first, keyId) = await NewKeyAsync();
        var second = await RotateAsync(user, keyId, TimeSpan.FromHours(1));

        var third = await RotateAsync(user, keyId, TimeSpan.FromHours(2));

        app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(ReasonCodes.Expired, await CodeAsync(first));
        Assert.Equal(ReasonCodes.Valid, await CodeAsync(second.Token));
        Assert.Equal(ReasonCodes.Valid, await CodeAsync(third.Token));
        app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(ReasonCodes.Expired, await CodeAsync(second.Token));
        Assert.Equal(ReasonCodes.Valid, await CodeAsync(third.Token));
    }

    [Fact]
    public async Task Rotate_AgainWithGraceZero_EndsEveryEarlierTokenAtOnce()
    {
        var (user, first, keyId) = await NewKeyAsync();
        var second = await RotateAsync(user, keyId, TimeSpan.FromDays(7));

        var third = await RotateAsync(user, keyId, TimeSpan.Zero);

        Assert.Equal(ReasonCodes.Expired, await CodeAsync(first));
        Assert.Equal(ReasonCodes.Expired, await CodeAsync(second.Token));
        Assert.Equal(ReasonCodes.Valid, await CodeAsync(third.Token));
    }

    [Fact]
    public async Task Revoke_DuringGrace_RefusesBothTokens()
    {
        var (user, oldToken, keyId) = await NewKeyAsync();
        var rotated = await RotateAsync(user, keyId, TimeSpan.FromHours(1));

        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<KeyCatalog>().RevokeAsync(user.Caller(), keyId);
        }

        Assert.Equal(ReasonCodes.Revoked, await CodeAsync(oldToken));
        Assert.Equal(ReasonCodes.Revoked, await CodeAsync(rotated.Token));
    }

    [Fact]
    public async Task Rotate_RevokedKey_IsAConflict()
    {
        var (user, _, keyId) = await NewKeyAsync();
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<KeyCatalog>().RevokeAsync(user.Caller(), keyId);
        }

        await Assert.ThrowsAsync<ConflictException>(() => RotateAsync(user, keyId, TimeSpan.Zero));
    }

    [Fact]
    public async Task Rotate_ExpiredKey_IsAConflict()
    {
        var (user, oldToken, keyId) = await NewKeyAsync(expiresAt: app.Clock.GetUtcNow().AddHours(1));
        app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(ReasonCodes.Expired, await CodeAsync(oldToken));

        await Assert.ThrowsAsync<ConflictException>(() => RotateAsync(user, keyId, TimeSpan.Zero));
    }

    [Fact]
    public async Task Rotate_KeyWithExpiry_NewTokenKeepsTheKeysExpiry()
    {
        var (user, _, keyId) = await NewKeyAsync(expiresAt: app.Clock.GetUtcNow().AddDays(2));

        var rotated = await RotateAsync(user, keyId, TimeSpan.FromDays(7));

        app.Clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(ReasonCodes.Expired, await CodeAsync(rotated.Token));
    }

    [Fact]
    public async Task Rotate_AnotherUsersKey_ReturnsNullAndLeavesItAlone()
    {
        var (_, token, keyId) = await NewKeyAsync();
        var stranger = await app.NewUserAsync();

        await using (var scope = app.Scope())
        {
            Assert.Null(await scope.ServiceProvider.GetRequiredService<KeyCatalog>().RotateAsync(stranger.Caller(), keyId, TimeSpan.Zero));
        }

        Assert.Equal(ReasonCodes.Valid, await CodeAsync(token));
    }

    private async Task<(TestUser User, string Token, Guid KeyId)> NewKeyAsync(string[]? scopes = null, DateTimeOffset? expiresAt = null)
    {
        var user = await app.NewUserAsync();
        await using var scope = app.Scope();
        var issued = await scope.ServiceProvider.GetRequiredService<KeyCatalog>().CreateAsync(
            user.Caller(), new CreateKeyCommand("rotating", Scopes: scopes ?? ["orders:read"], ExpiresAt: expiresAt));
        return (user, issued.Token, issued.Key.Id);
    }

    private async Task<IssuedKey> RotateAsync(TestUser user, Guid keyId, TimeSpan grace)
    {
        await using var scope = app.Scope();
        return (await scope.ServiceProvider.GetRequiredService<KeyCatalog>().RotateAsync(user.Caller(), keyId, grace))!;
    }

    private async Task<string> CodeAsync(string token) => (await ValidateAsync(token, default)).Code;

    private Task<ValidationResult> ValidateAsync(string token, RequestContext request) =>
        app.Services.GetRequiredService<KeyValidator>().ValidateAsync(token, request).AsTask();
}
