using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Keys;

namespace Portal.Core.Organizations;

/// <summary>
/// How much one user or organization may hold, bound from the <c>Quotas</c> section and validated
/// at start. The defaults are far above what a real team uses; they exist so that one account
/// cannot fill the database or make every listing slow for everyone.
/// </summary>
public sealed class QuotaOptions
{
    public const string Section = "Quotas";

    /// <summary>Enterprise organizations one user may own at once (the personal organization aside).</summary>
    [Range(1, 100_000, ErrorMessage = "Quotas:OrganizationsPerUser must be between 1 and 100000.")]
    public int OrganizationsPerUser { get; set; } = 100;

    /// <summary>Keys an organization may hold that are not revoked or expired (revoked and expired keys do not count).</summary>
    [Range(1, 10_000_000, ErrorMessage = "Quotas:KeysPerOrganization must be between 1 and 10000000.")]
    public int KeysPerOrganization { get; set; } = 10_000;

    /// <summary>Permission sets an organization may hold.</summary>
    [Range(1, 100_000, ErrorMessage = "Quotas:PermissionSetsPerOrganization must be between 1 and 100000.")]
    public int PermissionSetsPerOrganization { get; set; } = 500;

    /// <summary>Invitations an organization may have pending (not accepted, revoked or expired) at once.</summary>
    [Range(1, 100_000, ErrorMessage = "Quotas:PendingInvitationsPerOrganization must be between 1 and 100000.")]
    public int PendingInvitationsPerOrganization { get; set; } = 1_000;
}

/// <summary>
/// Checks a quota before something is created, so a refused request writes nothing. Each check is
/// one indexed count. Two creations racing past the last free place may both succeed: a quota is a
/// guard against runaway use, not an exact ledger. A refusal is a <see cref="ConflictException"/>
/// (409 ProblemDetails) naming the field and the setting that sets the limit.
/// </summary>
public sealed class Quotas(PortalDbContext db, IOptions<QuotaOptions> options)
{
    /// <summary>Refuses a new enterprise organization when <paramref name="userId"/> already owns the most allowed.</summary>
    public async Task EnsureOrganizationAllowedAsync(Guid userId, CancellationToken cancellationToken)
    {
        var limit = options.Value.OrganizationsPerUser;
        var owned = await db.Memberships.CountAsync(
            m => m.UserId == userId && m.Role == OrganizationRole.Owner && !m.Organization!.IsPersonal, cancellationToken);
        if (owned >= limit)
        {
            throw new ConflictException(
                "organizations",
                $"You already own {owned} organizations, the most one person may own (setting {QuotaOptions.Section}:{nameof(QuotaOptions.OrganizationsPerUser)} = {limit}). Delete or hand over one first.");
        }
    }

    /// <summary>Refuses a new key when the organization already holds the most keys that are not revoked or expired.</summary>
    public async Task EnsureKeyAllowedAsync(Guid organizationId, CancellationToken cancellationToken)
    {
        var limit = options.Value.KeysPerOrganization;
        var held = await db.ApiKeys.CountAsync(
            k => k.OrganizationId == organizationId && k.Status != KeyStatus.Revoked && k.Status != KeyStatus.Expired, cancellationToken);
        if (held >= limit)
        {
            throw new ConflictException(
                "keys",
                $"The organization has {held} keys that are not revoked or expired, the most it may have (setting {QuotaOptions.Section}:{nameof(QuotaOptions.KeysPerOrganization)} = {limit}). Revoke keys no longer used first.");
        }
    }

    /// <summary>Refuses a new invitation when the organization already has the most pending at <paramref name="now"/>.</summary>
    public async Task EnsureInvitationAllowedAsync(Guid organizationId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var limit = options.Value.PendingInvitationsPerOrganization;
        var pending = await db.Set<Invitation>().CountAsync(
            i => i.OrganizationId == organizationId && i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now, cancellationToken);
        if (pending >= limit)
        {
            throw new ConflictException(
                "invitations",
                $"The organization has {pending} pending invitations, the most it may have (setting {QuotaOptions.Section}:{nameof(QuotaOptions.PendingInvitationsPerOrganization)} = {limit}). Revoke unanswered invitations first.");
        }
    }

    /// <summary>Refuses a new permission set when the organization already holds the most allowed.</summary>
    public async Task EnsurePermissionSetAllowedAsync(Guid organizationId, CancellationToken cancellationToken)
    {
        var limit = options.Value.PermissionSetsPerOrganization;
        var held = await db.PermissionSets.CountAsync(p => p.OrganizationId == organizationId, cancellationToken);
        if (held >= limit)
        {
            throw new ConflictException(
                "permissionSets",
                $"The organization has {held} permission sets, the most it may have (setting {QuotaOptions.Section}:{nameof(QuotaOptions.PermissionSetsPerOrganization)} = {limit}). Delete sets no longer used first.");
        }
    }
}

public static class QuotaServiceCollectionExtensions
{
    /// <summary>Registers <see cref="Quotas"/> and its options, validated at start.</summary>
    public static IServiceCollection AddQuotas(this IServiceCollection services)
    {
        services.AddOptions<QuotaOptions>().BindConfiguration(QuotaOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<Quotas>();
        return services;
    }
}
