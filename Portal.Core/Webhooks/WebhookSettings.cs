using System.Net;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Core.Permissions;

namespace Portal.Core.Webhooks;

/// <summary>An organization's webhook as its admins see it: never the secret.</summary>
public sealed record WebhookView(string Url, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A saved webhook and, when one was generated, its new secret (shown once).</summary>
public sealed record SavedWebhook(WebhookView Webhook, string? NewSecret);

/// <summary>
/// An organization's webhook endpoint, for its admins. The signing secret is generated here,
/// returned once and stored protected with Data Protection; it is never logged or audited.
/// </summary>
public sealed class WebhookSettings(PortalDbContext db, PermissionEvaluator permissions, AuditTrail audit, IDataProtectionProvider protection, IOptions<WebhookOptions> options, TimeProvider time)
{
    /// <summary>The purpose string that isolates webhook secrets from every other protected value.</summary>
    public const string ProtectionPurpose = "Portal.Webhooks.SigningSecret";

    public async Task<WebhookView?> GetAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken = default)
    {
        if (!await permissions.MayAsync(caller, PortalAction.ManageWebhook, organizationId, cancellationToken: cancellationToken))
        {
            return null;
        }

        var endpoint = await db.WebhookEndpoints.AsNoTracking().FirstOrDefaultAsync(w => w.OrganizationId == organizationId, cancellationToken);
        return endpoint is null ? null : new WebhookView(endpoint.Url, endpoint.CreatedAt, endpoint.UpdatedAt);
    }

    /// <summary>
    /// Sets the URL. A new endpoint, or <paramref name="newSecret"/>, gets a fresh secret, returned
    /// in the result only. Null when the caller is not a member; throws for non-admins and bad URLs.
    /// </summary>
    public async Task<SavedWebhook?> SaveAsync(Caller caller, Guid organizationId, string? url, bool newSecret, CancellationToken cancellationToken = default)
    {
        if (!await CheckAdminAsync(caller, organizationId, cancellationToken))
        {
            return null;
        }

        var checkedUrl = CheckUrl(url, options.Value);
        var now = time.GetUtcNow();
        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(w => w.OrganizationId == organizationId, cancellationToken);
        string? secret = null;
        if (endpoint is null || newSecret)
        {
            var bytes = WebhookSignature.NewSecret();
            secret = WebhookSignature.Format(bytes);
            var protectedSecret = Protector().Protect(Convert.ToBase64String(bytes));
            if (endpoint is null)
            {
                endpoint = new WebhookEndpoint { OrganizationId = organizationId, Url = checkedUrl, ProtectedSecret = protectedSecret, CreatedAt = now };
                db.WebhookEndpoints.Add(endpoint);
            }
            else
            {
                endpoint.ProtectedSecret = protectedSecret;
            }
        }

        endpoint.Url = checkedUrl;
        endpoint.UpdatedAt = now;
        audit.Record(caller, AuditActions.WebhookChanged, organizationId, "webhook", organizationId.ToString(), checkedUrl, new { url = checkedUrl, secretGenerated = secret is not null });
        await db.SaveChangesAsync(cancellationToken);
        return new SavedWebhook(new WebhookView(endpoint.Url, endpoint.CreatedAt, endpoint.UpdatedAt), secret);
    }

    public async Task<bool> RemoveAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken = default)
    {
        if (!await CheckAdminAsync(caller, organizationId, cancellationToken))
        {
            return false;
        }

        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(w => w.OrganizationId == organizationId, cancellationToken);
        if (endpoint is null)
        {
            return false;
        }

        db.WebhookEndpoints.Remove(endpoint);
        audit.Record(caller, AuditActions.WebhookRemoved, organizationId, "webhook", organizationId.ToString(), endpoint.Url);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>The secret's bytes for signing; only the dispatcher calls this.</summary>
    internal static byte[] Unprotect(IDataProtectionProvider protection, WebhookEndpoint endpoint) =>
        Convert.FromBase64String(protection.CreateProtector(ProtectionPurpose).Unprotect(endpoint.ProtectedSecret));

    /// <summary>
    /// <see cref="CheckUrl(string?, bool)"/>, then, as an early and friendly word, the address rule
    /// for a host written as an IP address or as <c>localhost</c>. Names are checked when a
    /// delivery connects, after DNS (<see cref="WebhookConnector"/>): that check is the guard.
    /// </summary>
    public static string CheckUrl(string? url, WebhookOptions options)
    {
        var checkedUrl = CheckUrl(url, options.AllowLoopbackHttp == true);
        // The ASCII form the connection will use: "①②⑦.0.0.1" and "127。0。0。1" are 127.0.0.1 there.
        var host = new Uri(checkedUrl).IdnHost.Trim('[', ']').TrimEnd('.');
        var address = IPAddress.TryParse(host, out var literal) ? literal
            : host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
            : null;
        if (address is not null && WebhookAddressRule.Refusal(address, options, isOwnAddress: false) is { } refusal)
        {
            throw new InvalidRequestException("url", $"Webhooks cannot be sent here: {refusal}.");
        }

        return checkedUrl;
    }

    /// <summary>An absolute https URL, or http on a loopback address when allowed. Returns it trimmed.</summary>
    public static string CheckUrl(string? url, bool allowLoopbackHttp)
    {
        var trimmed = url?.Trim() ?? "";
        if (trimmed.Length is 0 or > WebhookEndpoint.UrlMaxLength || !Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new InvalidRequestException("url", $"Enter an absolute https:// URL of at most {WebhookEndpoint.UrlMaxLength} characters, without user name or password.");
        }

        if (uri.Scheme == Uri.UriSchemeHttps)
        {
            return trimmed;
        }

        var loopback = uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
        if (uri.Scheme == Uri.UriSchemeHttp && loopback && allowLoopbackHttp)
        {
            return trimmed;
        }

        throw new InvalidRequestException("url", "The webhook URL must use https:// so events travel encrypted.");
    }

    private Task<bool> CheckAdminAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken) =>
        permissions.CheckAsync(caller, PortalAction.ManageWebhook, organizationId, cancellationToken: cancellationToken);

    private IDataProtector Protector() => protection.CreateProtector(ProtectionPurpose);
}
