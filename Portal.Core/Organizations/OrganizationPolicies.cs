using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Permissions;
using Portal.Core.Protections;

namespace Portal.Core.Organizations;

/// <summary>What an admin submits as an organization's policy; null fields mean "no rule".</summary>
public sealed record PolicySettings(
    int? MaxKeyLifetimeDays = null,
    int? RotationIntervalDays = null,
    int? DefaultGraceHours = null,
    int? MaxGraceHours = null,
    LiveKeyCreators LiveKeyCreators = LiveKeyCreators.AnyDeveloper,
    int? DisableUnusedAfterDays = null,
    bool RequireIpAllowlistOnLiveKeys = false,
    IReadOnlyList<string>? DeniedNetworks = null,
    IReadOnlyList<string>? DeniedCountries = null,
    ThreatPolicy? Threats = null)
{
    public static PolicySettings From(OrganizationPolicy policy) => new(
        policy.MaxKeyLifetimeDays,
        policy.RotationIntervalDays,
        policy.DefaultGraceHours,
        policy.MaxGraceHours,
        policy.LiveKeyCreators,
        policy.DisableUnusedAfterDays,
        policy.RequireIpAllowlistOnLiveKeys,
        policy.DeniedNetworks,
        policy.DeniedCountries,
        policy.Threats);
}

/// <summary>
/// Reads and changes organization policies. Any member may read them (so developers know the
/// rules); only admins and owners change them. Out-of-range values are refused, naming each
/// field, and nothing is saved.
/// </summary>
public sealed class OrganizationPolicies(PortalDbContext db, PermissionEvaluator permissions, AuditTrail audit, IOptions<KeyOptions> keyOptions, TimeProvider time, OrganizationShieldCache shields)
{
    /// <summary>The policy, or null when the caller is not a member of the organization.</summary>
    public async Task<OrganizationPolicy?> GetAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken = default)
    {
        if (!await permissions.CheckAsync(caller, PortalAction.ViewPolicies, organizationId, cancellationToken: cancellationToken))
        {
            return null;
        }

        return await ForOrganizationAsync(db, organizationId, cancellationToken);
    }

    /// <summary>Replaces the policy. Returns null when the caller is not a member; throws for non-admins.</summary>
    public async Task<OrganizationPolicy?> UpdateAsync(Caller caller, Guid organizationId, PolicySettings settings, CancellationToken cancellationToken = default)
    {
        if (!await permissions.CheckAsync(caller, PortalAction.ManagePolicies, organizationId, cancellationToken: cancellationToken))
        {
            return null;
        }

        var errors = Validate(settings, keyOptions.Value.MaxRotationGrace);
        var denied = NetworkList.Parse(settings.DeniedNetworks, "deniedNetworks", errors);
        // An organization that denies every address, or the address saving the policy, would lock
        // its own admins out of every door, this one included.
        if (denied.Entries.Any(n => n.EndsWith("/0", StringComparison.Ordinal)))
        {
            errors["deniedNetworks"] = ["A denied network cannot be every address (/0): that would refuse every request of the organization, this policy's own included."];
        }
        else if (denied.Contains(ClientAddress.Parse(caller.ClientIp)))
        {
            errors["deniedNetworks"] = [$"The denied networks include your own address ({caller.ClientIp}): saving them would lock you out. Remove that network, or save from another address."];
        }
        var countries = CountryList.Parse(new CountryRules(Deny: settings.DeniedCountries?.ToList()), "deniedCountries", errors);
        // The country list names its entries countries.deny[i]: the policy's field is deniedCountries[i].
        foreach (var field in errors.Keys.Where(k => k.StartsWith("deniedCountries.deny", StringComparison.Ordinal)).ToList())
        {
            errors["deniedCountries" + field["deniedCountries.deny".Length..]] = errors[field];
            errors.Remove(field);
        }

        ThreatRules.Check(settings.Threats, "threats", errors);
        if (errors.Count > 0)
        {
            throw new InvalidRequestException(errors);
        }

        var policy = await db.OrganizationPolicies.FirstOrDefaultAsync(p => p.OrganizationId == organizationId, cancellationToken);
        var before = policy is null ? null : PolicySettings.From(policy);
        if (policy is null)
        {
            policy = OrganizationPolicy.None(organizationId);
            db.OrganizationPolicies.Add(policy);
        }

        policy.MaxKeyLifetimeDays = settings.MaxKeyLifetimeDays;
        policy.RotationIntervalDays = settings.RotationIntervalDays;
        policy.DefaultGraceHours = settings.DefaultGraceHours;
        policy.MaxGraceHours = settings.MaxGraceHours;
        policy.LiveKeyCreators = settings.LiveKeyCreators;
        policy.DisableUnusedAfterDays = settings.DisableUnusedAfterDays;
        policy.RequireIpAllowlistOnLiveKeys = settings.RequireIpAllowlistOnLiveKeys;
        policy.DeniedNetworks = [.. denied.Entries];
        policy.DeniedCountries = [.. countries.Deny];
        policy.Threats = settings.Threats;
        policy.UpdatedAt = time.GetUtcNow();
        policy.ConcurrencyStamp = Guid.NewGuid();
        audit.Record(caller, AuditActions.PolicyChanged, organizationId, "organization", organizationId.ToString(), null, new { before, after = PolicySettings.From(policy) });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Two admins saved at once (a concurrency stamp or the primary key caught it).
            throw new ConflictException("policy", "The policy was changed by someone else; reload it and try again.");
        }

        shields.Invalidate(organizationId);

        return policy;
    }

    /// <summary>The stored policy of an organization, or "no rules" when it never set one. No caller check.</summary>
    internal static async Task<OrganizationPolicy> ForOrganizationAsync(PortalDbContext db, Guid organizationId, CancellationToken cancellationToken) =>
        await db.OrganizationPolicies.AsNoTracking().FirstOrDefaultAsync(p => p.OrganizationId == organizationId, cancellationToken)
        ?? OrganizationPolicy.None(organizationId);

    /// <summary>Checks every field; returns field name to messages (empty when all is well).</summary>
    public static Dictionary<string, string[]> Validate(PolicySettings settings, TimeSpan platformMaxGrace)
    {
        var errors = new Dictionary<string, string[]>();
        var maxDays = OrganizationPolicy.MaxDays;
        CheckDays(settings.MaxKeyLifetimeDays, "maxKeyLifetimeDays", "The maximum key lifetime", errors);
        CheckDays(settings.RotationIntervalDays, "rotationIntervalDays", "The rotation interval", errors);
        CheckDays(settings.DisableUnusedAfterDays, "disableUnusedAfterDays", "The unused-key limit", errors);

        var platformHours = (int)platformMaxGrace.TotalHours;
        if (settings.MaxGraceHours is { } max && (max < 0 || max > platformHours))
        {
            errors["maxGraceHours"] = [$"The maximum grace period must be between 0 and {platformHours} hours, or empty for the platform's limit."];
        }

        if (settings.DefaultGraceHours is { } grace)
        {
            var limit = settings.MaxGraceHours is { } m && m >= 0 && m <= platformHours ? m : platformHours;
            if (grace < 0 || grace > limit)
            {
                errors["defaultGraceHours"] = [$"The default grace period must be between 0 and {limit} hours (the maximum grace period)."];
            }
        }

        if (!Enum.IsDefined(settings.LiveKeyCreators))
        {
            errors["liveKeyCreators"] = ["Choose who may create live keys: anyDeveloper or adminsOnly."];
        }

        return errors;

        void CheckDays(int? value, string field, string label, Dictionary<string, string[]> into)
        {
            if (value is { } days && (days < 1 || days > maxDays))
            {
                into[field] = [$"{label} must be between 1 and {maxDays} days, or empty for no limit."];
            }
        }
    }
}
