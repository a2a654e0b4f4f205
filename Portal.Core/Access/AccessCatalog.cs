using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Organizations;

namespace Portal.Core.Access;

/// <summary>
/// An organization's resource catalog, endpoint rules and its choice for requests no rule matches.
/// Members read them; only organization admins and platform administrators change them. Every change is audited and reaches this node's
/// check endpoint at once.
/// </summary>
public sealed partial class AccessCatalog(
    PortalDbContext db,
    OrganizationAccess access,
    AuditTrail audit,
    EndpointRuleCache rules,
    TimeProvider time)
{
    public const int MaxRules = 1000;
    public const int MaxResources = 500;

    public async Task<IReadOnlyList<ApiResource>?> ResourcesAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken = default)
    {
        if (!await CanReadAsync(caller, organizationId, cancellationToken))
        {
            return null;
        }

        return await db.ApiResources.AsNoTracking().Where(r => r.OrganizationId == organizationId).OrderBy(r => r.Name).ToListAsync(cancellationToken);
    }

    public async Task<ApiResource> AddResourceAsync(Caller caller, Guid organizationId, string? name, string? description, IReadOnlyList<string>? customActions, CancellationToken cancellationToken = default)
    {
        await RequireAdminAsync(caller, organizationId, cancellationToken);
        var errors = new Dictionary<string, string[]>();
        var trimmed = name?.Trim() ?? "";
        if (!ResourceName().IsMatch(trimmed) || trimmed.Length > ApiResource.NameMaxLength)
        {
            errors["name"] = [$"'{trimmed}' is not a resource name: lower-case letters, digits, '_', '-' or '.', starting with a letter, at most {ApiResource.NameMaxLength}."];
        }
        else if (trimmed == GrantCheck.KeysResource)
        {
            errors["name"] = ["'keys' is this product's own resource and is always present."];
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
        await RequireAdminAsync(caller, organizationId, cancellationToken);
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
        await RequireAdminAsync(caller, organizationId, cancellationToken);
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

    public async Task<RuleBook?> RulesAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken = default)
    {
        if (!await CanReadAsync(caller, organizationId, cancellationToken))
        {
            return null;
        }

        var allowUnmatched = await db.Organizations.Where(o => o.Id == organizationId).Select(o => o.AllowUnmatchedRequests).FirstAsync(cancellationToken);
        var list = await db.EndpointRules.AsNoTracking().Where(r => r.OrganizationId == organizationId).OrderBy(r => r.PathTemplate).ThenBy(r => r.Method).ToListAsync(cancellationToken);
        return new RuleBook(list, allowUnmatched);
    }

    public async Task<EndpointRule> AddRuleAsync(Caller caller, Guid organizationId, string? method, string? pathTemplate, string? scope, CancellationToken cancellationToken = default)
    {
        var role = await RequireAdminAsync(caller, organizationId, cancellationToken);
        var errors = new Dictionary<string, string[]>();
        var verb = method?.Trim().ToUpperInvariant() ?? "";
        if (!EndpointRule.Methods.Contains(verb))
        {
            errors["method"] = [$"'{method}' is not a method: use {string.Join(", ", EndpointRule.Methods)} (* for any)."];
        }

        var template = PathTemplate.TryParse(pathTemplate?.Trim(), out var templateError);
        if (templateError is not null)
        {
            errors["pathTemplate"] = [templateError];
        }

        var required = scope?.Trim() ?? "";
        if (!Scope.IsValid(required))
        {
            errors["scope"] = [$"'{required}' is not a scope: use resource:action."];
        }
        else if (required.Contains('*'))
        {
            errors["scope"] = ["A rule names the exact scope a request needs; wildcards belong in grants."];
        }
        else if (GrantCheck.Problem(await CatalogAsync(organizationId, cancellationToken), role, required) is { } problem)
        {
            errors["scope"] = [problem];
        }

        InvalidRequestException.ThrowIfAny(errors);
        var existing = await db.EndpointRules.Where(r => r.OrganizationId == organizationId).ToListAsync(cancellationToken);
        if (existing.Count >= MaxRules)
        {
            throw new InvalidRequestException("pathTemplate", $"An organization has at most {MaxRules} endpoint rules.");
        }

        var clash = existing.FirstOrDefault(r => r.Method == verb && PathTemplate.TryParse(r.PathTemplate, out _)!.Shape == template!.Shape);
        if (clash is not null)
        {
            throw new ConflictException("pathTemplate", $"'{clash.Method} {clash.PathTemplate}' already requires '{clash.Scope}'; delete it first to change it.");
        }

        var rule = new EndpointRule
        {
            OrganizationId = organizationId,
            Method = verb,
            PathTemplate = template!.Text,
            Scope = required,
            CreatedAt = time.GetUtcNow(),
        };
        db.EndpointRules.Add(rule);
        audit.Record(caller, AuditActions.RuleAdded, organizationId, "endpoint_rule", rule.Id.ToString(), $"{rule.Method} {rule.PathTemplate}", new { rule.Scope });
        await db.SaveChangesAsync(cancellationToken);
        rules.Invalidate(organizationId);
        return rule;
    }

    public async Task<bool> DeleteRuleAsync(Caller caller, Guid organizationId, Guid id, CancellationToken cancellationToken = default)
    {
        await RequireAdminAsync(caller, organizationId, cancellationToken);
        var rule = await db.EndpointRules.FirstOrDefaultAsync(r => r.Id == id && r.OrganizationId == organizationId, cancellationToken);
        if (rule is null)
        {
            return false;
        }

        db.EndpointRules.Remove(rule);
        audit.Record(caller, AuditActions.RuleDeleted, organizationId, "endpoint_rule", rule.Id.ToString(), $"{rule.Method} {rule.PathTemplate}", new { rule.Scope });
        await db.SaveChangesAsync(cancellationToken);
        rules.Invalidate(organizationId);
        return true;
    }

    /// <summary>Chooses what happens to requests that name no scope and match no rule.</summary>
    public async Task SetAllowUnmatchedAsync(Caller caller, Guid organizationId, bool allow, CancellationToken cancellationToken = default)
    {
        await RequireAdminAsync(caller, organizationId, cancellationToken);
        var organization = await db.Organizations.FirstAsync(o => o.Id == organizationId, cancellationToken);
        if (organization.AllowUnmatchedRequests == allow)
        {
            return;
        }

        organization.AllowUnmatchedRequests = allow;
        audit.Record(caller, AuditActions.UnmatchedRequestsChanged, organizationId, "organization", organizationId.ToString(), organization.Name, new { allowUnmatchedRequests = allow });
        await db.SaveChangesAsync(cancellationToken);
        rules.Invalidate(organizationId);
    }

    private Task<List<ApiResource>> CatalogAsync(Guid organizationId, CancellationToken cancellationToken) =>
        db.ApiResources.AsNoTracking().Where(r => r.OrganizationId == organizationId).ToListAsync(cancellationToken);

    private async Task<bool> CanReadAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken) =>
        await access.RoleAsync(caller, organizationId, cancellationToken) is not null
        || (await access.IsPlatformAdministratorAsync(caller, cancellationToken) && await db.Organizations.AnyAsync(o => o.Id == organizationId, cancellationToken));

    private async Task<OrganizationRole> RequireAdminAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken)
    {
        var role = await access.RoleAsync(caller, organizationId, cancellationToken);
        if (role is null or < OrganizationRole.Admin
            && await access.IsPlatformAdministratorAsync(caller, cancellationToken)
            && await db.Organizations.AnyAsync(o => o.Id == organizationId, cancellationToken))
        {
            // Platform administrators describe the APIs of any organization.
            return OrganizationRole.Admin;
        }

        return role switch
        {
            null => throw new NotFoundException("organization", "The organization does not exist or you are not a member of it."),
            >= OrganizationRole.Admin => role.Value,
            _ => throw new AccessDeniedException("Only organization admins can change the resource catalog and endpoint rules."),
        };
    }

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

    private static void CheckDescription(string? description, Dictionary<string, string[]> errors)
    {
        if (description is { Length: > ApiResource.DescriptionMaxLength })
        {
            errors["description"] = [$"Description must be at most {ApiResource.DescriptionMaxLength} characters."];
        }
    }

    [GeneratedRegex(@"^[a-z][a-z0-9_.\-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex ResourceName();
}

/// <summary>An organization's endpoint rules and its choice for unmatched requests.</summary>
public sealed record RuleBook(IReadOnlyList<EndpointRule> Rules, bool AllowUnmatchedRequests);
