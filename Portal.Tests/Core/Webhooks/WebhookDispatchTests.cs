using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Notifications;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Webhooks;

public abstract class WebhookDispatchTests(PortalApp app)
{
    [Fact]
    public async Task Run_ReminderEvent_ArrivesSignedAsStandardWebhooks()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (organization, secret) = await OrganizationWithWebhookAsync(receiver.Url);
        var key = await app.CreateKeyInAsync(organization.Owner, organization.Id, app.Clock.GetUtcNow().AddDays(3));

        await app.RunJobAsync<KeyReminders>();
        Assert.Equal(1, await app.RunJobAsync<WebhookDispatch>());

        var received = Assert.Single(receiver.Received);
        // Verified the way a receiver would, from the README's recipe, without the product's code.
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(
            Convert.FromBase64String(secret["whsec_".Length..]), Encoding.UTF8.GetBytes($"{received.Id}.{received.Timestamp}.{received.Body}")));
        Assert.Equal(expected, received.Signature);
        Assert.True(WebhookSignature.Verify(WebhookSignature.Parse(secret), received.Id!, long.Parse(received.Timestamp!), received.Body, received.Signature));
        Assert.False(WebhookSignature.Verify(WebhookSignature.Parse(secret), received.Id!, long.Parse(received.Timestamp!), received.Body + " ", received.Signature));
        Assert.StartsWith("msg_", received.Id, StringComparison.Ordinal);
        Assert.Equal(app.Clock.GetUtcNow().ToUnixTimeSeconds(), long.Parse(received.Timestamp!));
        using var body = JsonDocument.Parse(received.Body);
        Assert.Equal(NotificationKinds.KeyExpiring7Days, body.RootElement.GetProperty("type").GetString());
        Assert.Equal(key.Key.Id, body.RootElement.GetProperty("data").GetProperty("keyId").GetGuid());
        Assert.DoesNotContain(secret, string.Join("\n", app.Logs.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FailingEndpoint_RetriedWithBackoffUntilDelivered_ReminderJobNotHeldUp()
    {
        await using var receiver = await WebhookReceiver.StartAsync(500, 503);
        var (organization, _) = await OrganizationWithWebhookAsync(receiver.Url);
        await app.CreateKeyInAsync(organization.Owner, organization.Id, app.Clock.GetUtcNow().AddDays(3));

        // The reminder job only writes the outbox: it finishes without calling the endpoint.
        await app.RunJobAsync<KeyReminders>();
        Assert.Empty(receiver.Received);

        Assert.Equal(0, await app.RunJobAsync<WebhookDispatch>());
        Assert.Equal(0, await app.RunJobAsync<WebhookDispatch>());
        var delivery = await DeliveryOfAsync(organization.Id);
        Assert.Equal((1, "HTTP 500"), (delivery.Attempts, delivery.LastError));
        AssertNear(app.Clock.GetUtcNow() + TimeSpan.FromMinutes(1), delivery.NextAttemptAt);
        Assert.Single(receiver.Received);

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, await app.RunJobAsync<WebhookDispatch>());
        AssertNear(app.Clock.GetUtcNow() + TimeSpan.FromMinutes(2), (await DeliveryOfAsync(organization.Id)).NextAttemptAt);

        app.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await app.RunJobAsync<WebhookDispatch>());
        await app.RunJobAsync<WebhookDispatch>();

        delivery = await DeliveryOfAsync(organization.Id);
        Assert.NotNull(delivery.DeliveredAt);
        Assert.Equal(3, delivery.Attempts);
        Assert.Equal(3, receiver.Received.Count);
        Assert.Single(receiver.Received.Select(r => r.Id).Distinct());
    }

    [Fact]
    public async Task Run_ConcurrentDispatchers_SendEachEventOnce()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (organization, _) = await OrganizationWithWebhookAsync(receiver.Url);
        for (var i = 0; i < 3; i++)
        {
            await app.CreateKeyInAsync(organization.Owner, organization.Id, app.Clock.GetUtcNow().AddDays(3));
        }

        await app.RunJobAsync<KeyReminders>();
        await Task.WhenAll(app.RunJobAsync<WebhookDispatch>(), app.RunJobAsync<WebhookDispatch>(), app.RunJobAsync<WebhookDispatch>());

        Assert.Equal(3, receiver.Received.Count);
        Assert.Equal(3, receiver.Received.Select(r => r.Id).Distinct().Count());
    }

    [Fact]
    public async Task Run_UnreachableEndpoint_CountsAsFailedAttempt()
    {
        string url;
        await using (var gone = await WebhookReceiver.StartAsync())
        {
            url = gone.Url;
        }

        var (organization, _) = await OrganizationWithWebhookAsync(url);
        await app.CreateKeyInAsync(organization.Owner, organization.Id, app.Clock.GetUtcNow().AddDays(3));
        await app.RunJobAsync<KeyReminders>();

        Assert.Equal(0, await app.RunJobAsync<WebhookDispatch>());

        var delivery = await DeliveryOfAsync(organization.Id);
        Assert.Equal(1, delivery.Attempts);
        Assert.Null(delivery.DeliveredAt);
        Assert.NotNull(delivery.LastError);
    }

    /// <summary>Stored times may be rounded to the millisecond.</summary>
    private static void AssertNear(DateTimeOffset expected, DateTimeOffset actual) =>
        Assert.True((expected - actual).Duration() < TimeSpan.FromMilliseconds(1), $"expected {expected:O}, got {actual:O}");

    private async Task<(TestOrganization Organization, string Secret)> OrganizationWithWebhookAsync(string url)
    {
        var organization = await app.NewOrganizationAsync();
        await using var scope = app.Scope();
        var saved = await scope.ServiceProvider.GetRequiredService<WebhookSettings>().SaveAsync(organization.Owner.Caller(), organization.Id, url, newSecret: false);
        return (organization, saved!.NewSecret!);
    }

    private async Task<WebhookDelivery> DeliveryOfAsync(Guid organizationId)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().WebhookDeliveries.AsNoTracking().SingleAsync(d => d.OrganizationId == organizationId);
    }
}

public sealed class SqliteWebhookDispatchTests(SqliteApp app) : WebhookDispatchTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlWebhookDispatchTests(PostgreSqlApp app) : WebhookDispatchTests(app), IClassFixture<PostgreSqlApp>;
