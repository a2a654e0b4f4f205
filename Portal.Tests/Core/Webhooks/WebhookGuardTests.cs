using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Data;
using Portal.Core.Notifications;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Webhooks;

/// <summary>
/// A webhook cannot reach inside: the address is checked when the delivery connects, after DNS,
/// and a refusal is a failed attempt with its reason, retried like any other.
/// </summary>
public sealed class WebhookGuardTests(GuardedWebhookApp app) : IClassFixture<GuardedWebhookApp>
{
    [Theory]
    [InlineData("127.0.0.1", "a loopback address")]
    [InlineData("10.0.0.5", "a private address")]
    [InlineData("169.254.169.254", "a link-local address")]
    [InlineData("fd00::1", "a unique-local address (fc00::/7)")]
    [InlineData("::ffff:127.0.0.1", "a loopback address")]
    public async Task Run_HostResolvingInside_RefusedAtConnect_RecordedAsFailedAttempt(string address, string what)
    {
        // The name passes when saved; only at send time does it turn out to point inside.
        var host = $"inside-{Guid.NewGuid():N}.example.test";
        app.Dns.Map(host, address);
        var organizationId = await OrganizationWithEventAsync(app, $"https://{host}/hook");

        Assert.Equal(0, await app.RunJobAsync<WebhookDispatch>());

        var delivery = await DeliveryOfAsync(app, organizationId);
        Assert.Equal(1, delivery.Attempts);
        Assert.Null(delivery.DeliveredAt);
        Assert.Null(delivery.AbandonedAt);
        Assert.StartsWith($"refused: {System.Net.IPAddress.Parse(address)} is {what}", delivery.LastError, StringComparison.Ordinal);
        Assert.True(delivery.NextAttemptAt > app.Clock.GetUtcNow(), "a refused attempt is retried later, like any failed one");
        Assert.Contains(app.Logs.Lines, line => line.Contains(delivery.Id.ToString(), StringComparison.Ordinal) && line.Contains("refused: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_PortalsOwnPublicHost_Refused()
    {
        var organizationId = await OrganizationWithEventAsync(app, $"https://{GuardedWebhookApp.PublicHost}/hooks");

        Assert.Equal(0, await app.RunJobAsync<WebhookDispatch>());

        Assert.StartsWith($"refused: {GuardedWebhookApp.PublicHost} is the portal's own host", (await DeliveryOfAsync(app, organizationId)).LastError, StringComparison.Ordinal);
        Assert.Equal(0, app.Dns.Asked(GuardedWebhookApp.PublicHost));
    }

    [Theory]
    [InlineData("https://10.0.0.5/hook")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://[fd00::1]/hook")]
    [InlineData("https://[::ffff:127.0.0.1]/hook")]
    [InlineData("https://localhost/hook")]
    [InlineData("https://0.0.0.0/hook")]
    public async Task Save_AddressLiteralInside_RefusedEarlyNamingUrl(string url)
    {
        var organization = await app.NewOrganizationAsync();
        await using var scope = app.Scope();

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() =>
            scope.ServiceProvider.GetRequiredService<WebhookSettings>().SaveAsync(organization.Owner.Caller(), organization.Id, url, newSecret: false));

        var (field, messages) = Assert.Single(error.Errors);
        Assert.Equal("url", field);
        Assert.StartsWith("Webhooks cannot be sent here: ", Assert.Single(messages), StringComparison.Ordinal);
    }

    /// <summary>An organization with a webhook at <paramref name="url"/> and one event waiting in the outbox.</summary>
    internal static async Task<Guid> OrganizationWithEventAsync(PortalApp app, string url, string? storedUrl = null)
    {
        var organization = await app.NewOrganizationAsync();
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<WebhookSettings>().SaveAsync(organization.Owner.Caller(), organization.Id, url, newSecret: false);
            if (storedUrl is not null)
            {
                // A stored URL the save-time check would not take today (e.g. plain http to a name).
                await scope.ServiceProvider.GetRequiredService<PortalDbContext>().WebhookEndpoints
                    .Where(w => w.OrganizationId == organization.Id)
                    .ExecuteUpdateAsync(set => set.SetProperty(w => w.Url, storedUrl));
            }
        }

        await app.CreateKeyInAsync(organization.Owner, organization.Id, app.Clock.GetUtcNow().AddDays(3));
        await app.RunJobAsync<KeyReminders>();
        return organization.Id;
    }

    internal static async Task<WebhookDelivery> DeliveryOfAsync(PortalApp app, Guid organizationId)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().WebhookDeliveries.AsNoTracking().SingleAsync(d => d.OrganizationId == organizationId);
    }
}

/// <summary>With <c>Webhooks:AllowPrivateNetworks</c>, a delivery reaches a receiver inside, at the address its name was checked at.</summary>
public sealed class WebhookPrivateNetworksTests(PrivateNetworksWebhookApp app) : IClassFixture<PrivateNetworksWebhookApp>
{
    [Fact]
    public async Task Run_NameResolvingToLocalReceiver_Delivered_ConnectingToTheCheckedAddress()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var port = new Uri(receiver.Url).Port;
        // Only the test resolver knows this name: a delivery that asked the system's DNS again could not connect.
        var host = $"receiver-{Guid.NewGuid():N}.example.test";
        app.Dns.Map(host, "127.0.0.1");
        var organizationId = await WebhookGuardTests.OrganizationWithEventAsync(app, $"https://{host}/hook", storedUrl: $"http://{host}:{port}/hook");

        Assert.Equal(1, await app.RunJobAsync<WebhookDispatch>());

        Assert.Single(receiver.Received);
        Assert.NotNull((await WebhookGuardTests.DeliveryOfAsync(app, organizationId)).DeliveredAt);
        Assert.Equal(1, app.Dns.Asked(host));
    }

    [Fact]
    public async Task Run_UnspecifiedAddress_StillRefused()
    {
        var host = $"zero-{Guid.NewGuid():N}.example.test";
        app.Dns.Map(host, "0.0.0.0");
        var organizationId = await WebhookGuardTests.OrganizationWithEventAsync(app, $"https://{host}/hook");

        Assert.Equal(0, await app.RunJobAsync<WebhookDispatch>());

        Assert.Equal("refused: 0.0.0.0 is an unspecified address", (await WebhookGuardTests.DeliveryOfAsync(app, organizationId)).LastError);
    }
}
