using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Names;
using Portal.Core.Organizations;
using Portal.Core.Permissions;

namespace Portal.Core.Access;

/// <summary>
/// An organization's resource catalog. Members read it; only organization admins and platform
/// administrators change it. Every change is audited.
/// </summary>
public sealed partial class AccessCatalog(
    PortalDbContext db,
    PermissionEvaluator permissions,
    AuditTrail audit,
    TimeProvider time)
{
    public const int MaxResources = 500;

    public async Task<IReadOnlyList<ApiResource>?> ResourcesAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken = default)
    {
        if (!await permissions.MayAsync(caller, PortalAction.ViewOrganization, organizationId, cancellationToken: cancellationToken))
        {
            return null;
        }

        return await db.ApiResources.AsNoTracking().Where(r => r.OrganizationId == organizationId).OrderBy(r => r.Name).ToListAsync(cancellationToken);
    }

    public async Task<ApiResource> AddResourceAsync(Caller caller, Guid organizationId, string? name, string? description, IReadOnlyList<string>? customActions, CancellationToken cancellationToken = default)
    {
        await permissions.RequireAsync(caller, PortalAction.ManageResources, organizationId, cancellationToken: cancellationToken);
        var errors = new Dictionary<string, string[]>();
        var trimmed = name?.Trim() ?? "";
        if (!ResourceName().IsMatch(trimmed) || trimmed.Length > ApiResource.NameMaxLength)
        {
            errors["name"] = [$"'{trimmed}' is not a resource name: lower-case letters, digits, '_', '-' or '.', starting with a letter, at most {ApiResource.NameMaxLength}."];
        }
        else if (GrantCheck.ProductResources.ContainsKey(trimmed))
        {
            errors["name"] = [$"'{trimmed}' is this product's own resource and is always present."];
        }

        var actions = CheckActions(customActions, errors);
        CheckDescription(description, errors);
        InvalidRequestException.ThrowIfAny(errors);
        if (await db.ApiResources.AnyAsync(r => r.OrganizationId == organizationId && r.Name == trimmed, cancellationToken))
        {
            throw new ConflictException("name", $"The catalog already has a resource named '{trimmed}'.");
        }

        if (await db.ApiResources.CountAsync(r => r.OrganizationId == organizationId, cancellationToken) >= MaxResources)
        {
            throw new InvalidRequestException("name", $"A catalog holds at most {MaxResources} resources.");
        }

        var resource = new ApiResource
        {
            OrganizationId = organizationId,
            Name = trimmed,
            Description = Input.Blank(description),
            CustomActions = actions,
            CreatedAt = time.GetUtcNow(),
        };
        db.ApiResources.Add(resource);
        audit.Record(caller, AuditActions.ResourceAdded, organizationId, "resource", resource.Id.ToString(), resource.Name, new { resource.CustomActions });
        await db.SaveChangesAsync(cancellationToken);
        return resource;
    }

    public async Task<ApiResource?> UpdateResourceAsync(Caller caller, Guid organizationId, Guid id, string? description, IReadOnlyList<string>? customActions, CancellationToken cancellationToken = default)
    {
        await permissions.RequireAsync(caller, PortalAction.ManageResources, organizationId, cancellationToken: cancellationToken);
        var resource = await db.ApiResources.FirstOrDefaultAsync(r => r.Id == id && r.OrganizationId == organizationId, cancellationToken);
        if (resource is null)
        {
            return null;
        }

        var errors = new Dictionary<string, string[]>();
        var actions = CheckActions(customActions, errors);
        CheckDescription(description, errors);
        InvalidRequestException.ThrowIfAny(errors);
        var removed = resource.CustomActions.Except(actions).ToList();
        if (removed.Count > 0 && await UsesAsync(organizationId, removed.Select(a => $"{resource.Name}:{a}").ToList(), cancellationToken) is { } user)
        {
            throw new ConflictException("customActions", $"'{resource.Name}:{removed[0]}' is still used by {user}; change that first.");
        }

        var before = resource.CustomActions.ToList();
        resource.Description = Input.Blank(description);
        resource.CustomActions = actions;
        audit.Record(caller, AuditActions.ResourceUpdated, organizationId, "resource", resource.Id.ToString(), resource.Name, new { before, after = actions });
        await db.SaveChangesAsync(cancellationToken);
        return resource;
    }

    /// <summary>Removes a resource no endpoint rule, permission set or key scope uses; false when it does not exist.</summary>
    public async Task<bool> DeleteResourceAsync(Caller caller, Guid organizationId, Guid id, CancellationToken cancellationToken = default)
    {
        await permissions.RequireAsync(caller, PortalAction.ManageResources, organizationId, cancellationToken: cancellationToken);
        var resource = await db.ApiResources.FirstOrDefaultAsync(r => r.Id == id && r.OrganizationId == organizationId, cancellationToken);
        if (resource is null)
        {
            return false;
        }

        var scopes = resource.Actions.Append("*").Select(a => $"{resource.Name}:{a}").ToList();
        if (await UsesAsync(organizationId, scopes, cancellationToken) is { } user)
        {
            throw new ConflictException("resource", $"'{resource.Name}' is still used by {user}; change that first.");
        }

        db.ApiResources.Remove(resource);
        audit.Record(caller, AuditActions.ResourceDeleted, organizationId, "resource", resource.Id.ToString(), resource.Name);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    internal Task<List<ApiResource>> CatalogAsync(Guid organizationId, CancellationToken cancellationToken) =>
        db.ApiResources.AsNoTracking().Where(r => r.OrganizationId == organizationId).ToListAsync(cancellationToken);

    // What still uses one of these exact scopes: an endpoint rule, a permission set or a key's scopes.
    private async Task<string?> UsesAsync(Guid organizationId, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        if (await db.EndpointRules.Where(r => r.OrganizationId == organizationId && scopes.Contains(r.Scope)).Select(r => r.Method + " " + r.PathTemplate).FirstOrDefaultAsync(cancellationToken) is { } rule)
        {
            return $"the endpoint rule '{rule}'";
        }

        var sets = await db.PermissionSets.AsNoTracking().Where(p => p.OrganizationId == organizationId).Select(p => new { p.Name, p.Grants }).ToListAsync(cancellationToken);
        if (sets.FirstOrDefault(p => p.Grants.Any(g => scopes.Contains(g.Scope))) is { } set)
        {
            return $"the permission set '{set.Name}'";
        }

        var key = await db.ApiKeys.AsNoTracking()
            .Where(k => k.OrganizationId == organizationId && k.Status == Keys.KeyStatus.Active && k.Scopes.Any(s => scopes.Contains(s)))
            .Select(k => k.Name)
            .FirstOrDefaultAsync(cancellationToken);
        return key is null ? null : $"the key '{key}'";
    }

    private static List<string> CheckActions(IReadOnlyList<string>? actions, Dictionary<string, string[]> errors)
    {
        var list = (actions ?? []).Select(a => a?.Trim() ?? "").Distinct(StringComparer.Ordinal).ToList();
        if (list.Count > ApiResource.MaxCustomActions)
        {
            errors["customActions"] = [$"At most {ApiResource.MaxCustomActions} custom actions."];
        }
        else if (list.FirstOrDefault(a => !ResourceName().IsMatch(a) || a.Length > ApiResource.NameMaxLength) is { } bad)
        {
            errors["customActions"] = [$"'{bad}' is not an action name: lower-case letters, digits, '_', '-' or '.', starting with a letter."];
        }
        else if (list.FirstOrDefault(a => ApiResource.StandardActions.Contains(a)) is { } standard)
        {
            errors["customActions"] = [$"'{standard}' is a standard action every resource has."];
        }

        return list;
    }

    private static void CheckDescription(string? description, Dictionary<string, string[]> errors) =>
        DisplayName.CheckText(description, ApiResource.DescriptionMaxLength, "description", errors);

    [GeneratedRegex(@"^[a-z][a-z0-9_.\-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex ResourceName();
}
