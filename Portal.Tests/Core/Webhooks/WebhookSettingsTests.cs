using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Webhooks;

public sealed class WebhookSettingsTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Theory]
    [InlineData("http://example.com/hook", false)]
    [InlineData("http://127.0.0.1:8080/hook", false)]
    [InlineData("http://example.com/hook", true)]
    [InlineData("ftp://example.com/hook", true)]
    [InlineData("https://user:pass@example.com/hook", true)]
    [InlineData("not a url", true)]
    [InlineData("", true)]
    public void CheckUrl_NotHttpsOrLoopbackWhenAllowed_IsRefusedNamingUrl(string url, bool allowLoopbackHttp)
    {
        var error = Assert.Throws<InvalidRequestException>(() => WebhookSettings.CheckUrl(url, allowLoopbackHttp));

        Assert.Equal("url", Assert.Single(error.Errors).Key);
    }

    [Theory]
    [InlineData("https://example.com/hook", false)]
    [InlineData("http://127.0.0.1:8080/hook", true)]
    [InlineData("http://[::1]:8080/hook", true)]
    [InlineData("http://localhost:8080/hook", true)]
    public void CheckUrl_HttpsOrAllowedLoopback_IsAccepted(string url, bool allowLoopbackHttp) =>
        Assert.Equal(url, WebhookSettings.CheckUrl(url, allowLoopbackHttp));

    [Theory]
    [InlineData("https://127.0.0.1/hook")]
    [InlineData("https://\u2460\u2461\u2466.0.0.1/hook")]
    [InlineData("https://127\u30020\u30020\u30021/hook")]
    [InlineData("https://169.254.169.254/latest")]
    public void CheckUrl_AddressInsideInAnySpelling_IsRefusedAtSave(string url)
    {
        var error = Assert.Throws<InvalidRequestException>(() => WebhookSettings.CheckUrl(url, new WebhookOptions()));

        Assert.Equal("url", Assert.Single(error.Errors).Key);
    }

    [Fact]
    public async Task Save_StoresSecretOnlyProtected_ShownOnce_NeverLogged()
    {
        var organization = await app.NewOrganizationAsync();
        await using var scope = app.Scope();
        var webhooks = scope.ServiceProvider.GetRequiredService<WebhookSettings>();

        var first = await webhooks.SaveAsync(organization.Owner.Caller(), organization.Id, "https://example.com/hook", newSecret: false);
        var again = await webhooks.SaveAsync(organization.Owner.Caller(), organization.Id, "https://example.com/other", newSecret: false);

        var secret = first!.NewSecret!;
        Assert.StartsWith(WebhookSignature.SecretPrefix, secret, StringComparison.Ordinal);
        Assert.Equal(WebhookSignature.SecretBytes, WebhookSignature.Parse(secret).Length);
        Assert.Null(again!.NewSecret);
        var stored = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().WebhookEndpoints.AsNoTracking().SingleAsync(w => w.OrganizationId == organization.Id);
        Assert.Equal("https://example.com/other", stored.Url);
        var bare = secret[WebhookSignature.SecretPrefix.Length..];
        Assert.DoesNotContain(bare, stored.ProtectedSecret, StringComparison.Ordinal);
        var audit = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditRecords.AsNoTracking()
            .Where(a => a.OrganizationId == organization.Id).Select(a => a.Details).ToListAsync();
        Assert.DoesNotContain(audit, d => d != null && d.Contains(bare, StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs.Lines, line => line.Contains(bare, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Save_ByDeveloper_IsDenied_StrangerGetsNothing()
    {
        var organization = await app.NewOrganizationAsync();
        var developer = await app.NewMemberAsync(organization, OrganizationRole.Developer);
        var stranger = await app.NewUserAsync();
        await using var scope = app.Scope();
        var webhooks = scope.ServiceProvider.GetRequiredService<WebhookSettings>();

        await Assert.ThrowsAsync<AccessDeniedException>(() => webhooks.SaveAsync(developer.Caller(), organization.Id, "https://example.com/hook", false));
        Assert.Null(await webhooks.SaveAsync(stranger.Caller(), organization.Id, "https://example.com/hook", false));
        Assert.False(await scope.ServiceProvider.GetRequiredService<PortalDbContext>().WebhookEndpoints.AnyAsync(w => w.OrganizationId == organization.Id));
    }
}
