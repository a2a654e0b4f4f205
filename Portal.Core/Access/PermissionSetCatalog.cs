using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Names;
using Portal.Core.Organizations;
using Portal.Core.Permissions;

namespace Portal.Core.Access;

/// <summary>A permission set in a list: with how many keys use it.</summary>
public sealed record PermissionSetSummary(Guid Id, string Name, string? Description, int Version, int GrantCount, int KeyCount, DateTimeOffset UpdatedAt, bool IsAdministrative);

/// <summary>A key that uses a permission set.</summary>
public sealed record PermissionSetKey(Guid Id, string Name, string Hint, KeyStatus Status, string? OwnerEmail);

/// <summary>How two versions of a set differ, grant by grant (a grant is identified by its scope and filters).</summary>
public sealed record PermissionSetDiff(int From, int To, IReadOnlyList<Grant> Added, IReadOnlyList<Grant> Removed, IReadOnlyList<Grant> Kept);

/// <summary>The portable form of a set, for reuse across organizations.</summary>
public sealed record PermissionSetExport(string Format, string Name, string? Description, IReadOnlyList<Grant> Grants)
{
    public const string CurrentFormat = "portal.permission-set/v1";
}

/// <summary>
/// Permission sets: named, versioned bundles of grants that admins build and keys reference.
/// Editing a set keeps the old version, and every key using it is dropped from this node's
/// validation cache so the edit applies from the next request. A set in use cannot be deleted.
/// </summary>
public sealed class PermissionSetCatalog(
    PortalDbContext db,
    PermissionEvaluator permissions,
    AuditTrail audit,
    KeyChangeFeed changes,
    Quotas quotas,
    TimeProvider time)
{
    public const int MaxImportBytes = 256 * 1024;

    public async Task<IReadOnlyList<PermissionSetSummary>?> ListAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken = default)
    {
        if (!await permissions.MayAsync(caller, PortalAction.ViewOrganization, organizationId, cancellationToken: cancellationToken))
        {
            return null;
        }

        var rows = await db.PermissionSets.AsNoTracking()
            .Where(p => p.OrganizationId == organizationId)
            .OrderBy(p => p.Name)
            .Select(p => new { p.Id, p.Name, p.Description, p.Version, p.Grants, KeyCount = p.Keys.Count, p.UpdatedAt })
            .ToListAsync(cancellationToken);
        return [.. rows.Select(p => new PermissionSetSummary(
            p.Id, p.Name, p.Description, p.Version, p.Grants.Count, p.KeyCount, p.UpdatedAt, p.Grants.Any(g => Scope.IsAdministrative(g.Scope))))];
    }

    /// <summary>The set, or null when it does not exist or the caller is not a member of its organization.</summary>
    public async Task<PermissionSet?> FindAsync(Caller caller, Guid id, CancellationToken cancellationToken = default)
    {
        var set = await db.PermissionSets.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
        return set is not null && await permissions.MayAsync(caller, PortalAction.ViewOrganization, set.OrganizationId, cancellationToken: cancellationToken) ? set : null;
    }

    public async Task<PermissionSet> CreateAsync(Caller caller, Guid organizationId, string? name, string? description, IReadOnlyList<Grant>? grants, CancellationToken cancellationToken = default)
    {
        var role = await RequireAdminAsync(caller, organizationId, cancellationToken);
        var (trimmed, list) = await CheckAsync(organizationId, role, name, description, grants, cancellationToken);
        await EnsureNameFreeAsync(organizationId, trimmed, null, cancellationToken);
        await quotas.EnsurePermissionSetAllowedAsync(organizationId, cancellationToken);
        var now = time.GetUtcNow();
        var set = new PermissionSet
        {
            OrganizationId = organizationId,
            Name = trimmed,
            Description = Input.Blank(description),
            Grants = list,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.PermissionSets.Add(set);
        db.PermissionSetVersions.Add(VersionOf(set, caller, now));
        audit.Record(caller, AuditActions.PermissionSetCreated, organizationId, "permission_set", set.Id.ToString(), set.Name, new { set.Version, set.Grants });
        await SaveAsync(cancellationToken);
        return set;
    }

    /// <summary>
    /// Replaces the set's name, description and grants as a new version. <paramref name="expectedVersion"/>
    /// guards against overwriting someone else's edit. Returns null when the set is not visible.
    /// </summary>
    public async Task<PermissionSet?> UpdateAsync(Caller caller, Guid id, int expectedVersion, string? name, string? description, IReadOnlyList<Grant>? grants, CancellationToken cancellationToken = default)
    {
        var set = await db.PermissionSets.FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (set is null || !await permissions.MayAsync(caller, PortalAction.ViewOrganization, set.OrganizationId, cancellationToken: cancellationToken))
        {
            return null;
        }

        var role = await RequireAdminAsync(caller, set.OrganizationId, cancellationToken);

        var (trimmed, list) = await CheckAsync(set.OrganizationId, role, name, description, grants, cancellationToken);
        await EnsureUsersMayHoldAsync(set, list, cancellationToken);
        if (set.Version != expectedVersion)
        {
            throw new ConflictException("version", $"The set is at version {set.Version} now, not {expectedVersion}; reload it and edit again.");
        }

        if (trimmed != set.Name)
        {
            await EnsureNameFreeAsync(set.OrganizationId, trimmed, set.Id, cancellationToken);
        }

        var now = time.GetUtcNow();
        var before = new { set.Version, set.Name, set.Grants };
        set.Name = trimmed;
        set.Description = Input.Blank(description);
        set.Grants = list;
        set.Version++;
        set.UpdatedAt = now;
        set.ConcurrencyStamp = Guid.NewGuid();
        db.PermissionSetVersions.Add(VersionOf(set, caller, now));
        audit.Record(caller, AuditActions.PermissionSetUpdated, set.OrganizationId, "permission_set", set.Id.ToString(), set.Name,
            new { before, after = new { set.Version, set.Name, set.Grants } });
        await SaveAsync(cancellationToken);
        await PublishKeysOfAsync(set.Id, cancellationToken);
        return set;
    }

    /// <summary>Deletes a set no key uses; false when it is not visible.</summary>
    public async Task<bool> DeleteAsync(Caller caller, Guid id, CancellationToken cancellationToken = default)
    {
        var set = await db.PermissionSets.FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (set is null || !await permissions.MayAsync(caller, PortalAction.ViewOrganization, set.OrganizationId, cancellationToken: cancellationToken))
        {
            return false;
        }

        var role = await RequireAdminAsync(caller, set.OrganizationId, cancellationToken);

        var inUse = await db.ApiKeys.CountAsync(k => k.PermissionSets.Any(p => p.Id == id), cancellationToken);
        if (inUse > 0)
        {
            throw new ConflictException("permissionSet", $"'{set.Name}' is used by {inUse} key(s); assign them other permissions first.");
        }

        db.PermissionSets.Remove(set);
        audit.Record(caller, AuditActions.PermissionSetDeleted, set.OrganizationId, "permission_set", set.Id.ToString(), set.Name, new { set.Version });
        await SaveAsync(cancellationToken);
        return true;
    }

    public async Task<IReadOnlyList<PermissionSetKey>?> KeysAsync(Caller caller, Guid id, CancellationToken cancellationToken = default)
    {
        if (await FindAsync(caller, id, cancellationToken) is not { } set)
        {
            return null;
        }

        var keys = db.ApiKeys.AsNoTracking().Where(k => k.PermissionSets.Any(p => p.Id == id));
        switch (await permissions.KeyViewAsync(caller, set.OrganizationId, cancellationToken))
        {
            case KeyView.None:
                return [];
            case KeyView.Own:
                // Among a set's users, the keys the caller may see anywhere else.
                keys = keys.Where(k => k.OwnerId == caller.UserId);
                break;
        }

        return await keys.OrderBy(k => k.Name)
            .Select(k => new PermissionSetKey(k.Id, k.Name, k.Hint, k.Status, k.Owner!.Email))
            .ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<PermissionSetVersion>?> VersionsAsync(Caller caller, Guid id, CancellationToken cancellationToken = default)
    {
        if (await FindAsync(caller, id, cancellationToken) is null)
        {
            return null;
        }

        return await db.PermissionSetVersions.AsNoTracking().Where(v => v.PermissionSetId == id).OrderByDescending(v => v.Version).ToListAsync(cancellationToken);
    }

    public async Task<PermissionSetDiff?> CompareAsync(Caller caller, Guid id, int from, int to, CancellationToken cancellationToken = default)
    {
        if (await VersionsAsync(caller, id, cancellationToken) is not { } versions)
        {
            return null;
        }

        var older = versions.FirstOrDefault(v => v.Version == from) ?? throw new InvalidRequestException("from", $"The set has no version {from}.");
        var newer = versions.FirstOrDefault(v => v.Version == to) ?? throw new InvalidRequestException("to", $"The set has no version {to}.");
        var before = older.Grants.Select(g => g.Canonical()).ToHashSet(StringComparer.Ordinal);
        var after = newer.Grants.Select(g => g.Canonical()).ToHashSet(StringComparer.Ordinal);
        return new PermissionSetDiff(
            from,
            to,
            [.. newer.Grants.Where(g => !before.Contains(g.Canonical()))],
            [.. older.Grants.Where(g => !after.Contains(g.Canonical()))],
            [.. newer.Grants.Where(g => before.Contains(g.Canonical()))]);
    }

    public async Task<string?> ExportAsync(Caller caller, Guid id, CancellationToken cancellationToken = default) =>
        await FindAsync(caller, id, cancellationToken) is { } set ? Export(set) : null;

    /// <summary>A set the caller has already been allowed to see, in its portable form.</summary>
    public static string Export(PermissionSet set) =>
        JsonSerializer.Serialize(
            new PermissionSetExport(PermissionSetExport.CurrentFormat, set.Name, set.Description, set.Grants),
            new JsonSerializerOptions(JsonColumn.Options) { WriteIndented = true });

    /// <summary>Creates a set from an export; refuses JSON that is not one, or grants this catalog does not know.</summary>
    public async Task<PermissionSet> ImportAsync(Caller caller, Guid organizationId, string? json, CancellationToken cancellationToken = default)
    {
        await RequireAdminAsync(caller, organizationId, cancellationToken);
        if (string.IsNullOrWhiteSpace(json))
        {
            throw new InvalidRequestException("file", "The file is empty.");
        }

        if (json.Length > MaxImportBytes)
        {
            throw new InvalidRequestException("file", $"The file must be at most {MaxImportBytes / 1024} KB.");
        }

        PermissionSetExport? export;
        try
        {
            export = JsonSerializer.Deserialize<PermissionSetExport>(json, new JsonSerializerOptions(JsonColumn.Options) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow });
        }
        catch (JsonException e)
        {
            var where = e.Path is { Length: > 1 } path ? $" at {path}" : e.LineNumber is { } line ? $" at line {line + 1}" : "";
            throw new InvalidRequestException("file", $"The file is not a permission set export: invalid JSON{where}.");
        }

        if (export is null || export.Format != PermissionSetExport.CurrentFormat)
        {
            throw new InvalidRequestException("format", $"The file's format must be '{PermissionSetExport.CurrentFormat}'.");
        }

        return await CreateAsync(caller, organizationId, export.Name, export.Description, export.Grants, cancellationToken);
    }

    private async Task<(string Name, List<Grant> Grants)> CheckAsync(Guid organizationId, OrganizationRole role, string? name, string? description, IReadOnlyList<Grant>? grants, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var trimmed = DisplayName.Check(name, PermissionSet.NameMaxLength, "name", errors);
        DisplayName.CheckText(description, PermissionSet.DescriptionMaxLength, "description", errors);

        var list = (grants ?? []).ToList();
        if (list.Count == 0)
        {
            errors["grants"] = ["A permission set needs at least one grant."];
        }
        else if (list.Count > PermissionSet.MaxGrants)
        {
            errors["grants"] = [$"A permission set holds at most {PermissionSet.MaxGrants} grants."];
        }
        else
        {
            var catalog = await db.ApiResources.AsNoTracking().Where(r => r.OrganizationId == organizationId).ToListAsync(cancellationToken);
            GrantCheck.Check(catalog, role, null, list, errors);
            if (errors.Count == 0 && list.Select(g => g.Canonical()).GroupBy(c => c).FirstOrDefault(g => g.Count() > 1) is not null)
            {
                errors["grants"] = ["The same grant appears twice."];
            }
        }

        InvalidRequestException.ThrowIfAny(errors);

        return (trimmed, list.Select(g => g with { Resources = g.Resources is { Count: > 0 } r ? [.. r] : null }).ToList());
    }

    private async Task<OrganizationRole> RequireAdminAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken)
    {
        var standing = await permissions.RequireAsync(caller, PortalAction.ManagePermissionSets, organizationId, cancellationToken: cancellationToken);
        return standing.Role!.Value;
    }

    /// <summary>
    /// A set reaches every key that uses it at once, so a new version may give only what each of those
    /// keys' owners may hold (a key acts with at most its owner's role): an admin action added to a set
    /// a developer's key uses is refused, naming the lowest role among them.
    /// </summary>
    private async Task EnsureUsersMayHoldAsync(PermissionSet set, List<Grant> grants, CancellationToken cancellationToken)
    {
        var owners = db.ApiKeys.Where(k => k.PermissionSets.Any(p => p.Id == set.Id) && (k.Status == KeyStatus.Active || k.Status == KeyStatus.Disabled || k.Status == KeyStatus.Suspended)).Select(k => k.OwnerId);
        var roles = await db.Memberships.AsNoTracking()
            .Where(m => m.OrganizationId == set.OrganizationId && owners.Contains(m.UserId))
            .Select(m => m.Role).Distinct().ToListAsync(cancellationToken);
        if (roles.Count == 0)
        {
            return;
        }

        var lowest = roles.Min();
        if (grants.FirstOrDefault(g => !RoleRules.MayGive(lowest, g.Scope)) is { } grant)
        {
            throw new ConflictException("grants", $"'{grant.Scope}' cannot be added: the set is used by keys of a {lowest.ToString().ToLowerInvariant()}, whose role may not hold it. Take the set off those keys, or build another set.");
        }
    }

    private async Task EnsureNameFreeAsync(Guid organizationId, string name, Guid? except, CancellationToken cancellationToken)
    {
        if (await db.PermissionSets.AnyAsync(p => p.OrganizationId == organizationId && p.Name == name && p.Id != except, cancellationToken))
        {
            throw new ConflictException("name", $"The organization already has a permission set named '{name}'.");
        }
    }

    private async Task PublishKeysOfAsync(Guid setId, CancellationToken cancellationToken)
    {
        var keys = await db.ApiKeys.AsNoTracking().Include(k => k.Secrets)
            .Where(k => k.PermissionSets.Any(p => p.Id == setId))
            .ToListAsync(cancellationToken);
        foreach (var key in keys)
        {
            changes.Publish(KeyChange.Of(key));
        }
    }

    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("version", "The set was changed by someone else; reload it and edit again.");
        }
        catch (DbUpdateException)
        {
            throw new ConflictException("name", "A permission set with this name already exists.");
        }
    }

    private static PermissionSetVersion VersionOf(PermissionSet set, Caller caller, DateTimeOffset now) => new()
    {
        PermissionSetId = set.Id,
        Version = set.Version,
        Name = set.Name,
        Description = set.Description,
        Grants = [.. set.Grants],
        CreatedAt = now,
        CreatedBy = caller.Name,
    };
}
