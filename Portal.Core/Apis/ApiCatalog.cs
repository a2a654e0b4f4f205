using Microsoft.EntityFrameworkCore;
using Portal.Core.Access;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Names;
using Portal.Core.Organizations;
using Portal.Core.Permissions;
using Portal.Core.Protections;

namespace Portal.Core.Apis;

/// <summary>What an admin gives when registering an API.</summary>
/// <param name="Environments">The key environments it accepts; null for live only.</param>
public sealed record ApiDraft(
    string? Name,
    string? Description = null,
    ApiEnvironments? Environments = null,
    bool AllowUnmatchedRequests = false,
    bool CaseSensitivePaths = false,
    RequestProtections? Protections = null);

/// <summary>A partial change of an API; null fields are left as they are.</summary>
public sealed record ApiChanges(
    string? Name = null,
    string? Description = null,
    ApiEnvironments? Environments = null,
    bool? AllowUnmatchedRequests = null,
    bool? CaseSensitivePaths = null,
    ProtectionChanges? Protections = null);

/// <summary>
/// An organization's APIs and their endpoint rules. Members read them; only organization admins
/// and platform administrators change them. Every change is audited and reaches this node's
/// gateway door at once.
/// </summary>
public sealed class ApiCatalog(PortalDbContext db, AccessCatalog access, PermissionEvaluator permissions, AuditTrail audit, ApiPolicyCache policies, TimeProvider time)
{
    public const int MaxApis = 100;
    public const int MaxRules = 1000;

    /// <summary>The organization's APIs by name; null when the caller may not see the organization.</summary>
    public async Task<IReadOnlyList<ProtectedApi>?> ListAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken = default)
    {
        if (!await permissions.MayAsync(caller, PortalAction.ViewApis, organizationId, cancellationToken: cancellationToken))
        {
            return null;
        }

        return await db.Apis.AsNoTracking().Where(a => a.OrganizationId == organizationId).OrderBy(a => a.Name).ToListAsync(cancellationToken);
    }

    /// <summary>An API the caller may see; null for an unknown id and for another tenant's API alike.</summary>
    public async Task<ProtectedApi?> FindAsync(Caller caller, Guid apiId, CancellationToken cancellationToken = default)
    {
        var api = await db.Apis.AsNoTracking().FirstOrDefaultAsync(a => a.Id == apiId, cancellationToken);
        return api is not null && await permissions.MayAsync(caller, PortalAction.ViewApis, api.OrganizationId, cancellationToken: cancellationToken) ? api : null;
    }

    public async Task<ProtectedApi> CreateAsync(Caller caller, Guid organizationId, ApiDraft draft, CancellationToken cancellationToken = default)
    {
        await permissions.RequireAsync(caller, PortalAction.ManageApis, organizationId, cancellationToken: cancellationToken);
        var errors = new Dictionary<string, string[]>();
        var name = CheckName(draft.Name, errors);
        CheckDescription(draft.Description, errors);
        var environments = CheckEnvironments(draft.Environments ?? ApiEnvironments.Live, errors);
        var protections = ProtectionRules.Check(draft.Protections, quotaAllowed: false, errors);
        InvalidRequestException.ThrowIfAny(errors);
        await RefuseLookalikeNameAsync(organizationId, null, name, cancellationToken);

        if (await db.Apis.CountAsync(a => a.OrganizationId == organizationId, cancellationToken) >= MaxApis)
        {
            throw new InvalidRequestException("name", $"An organization has at most {MaxApis} APIs.");
        }

        var api = new ProtectedApi
        {
            OrganizationId = organizationId,
            Name = name,
            Description = Input.Blank(draft.Description),
            Environments = environments,
            AllowUnmatchedRequests = draft.AllowUnmatchedRequests,
            CaseSensitivePaths = draft.CaseSensitivePaths,
            Protections = protections,
            CreatedAt = time.GetUtcNow(),
        };
        db.Apis.Add(api);
        audit.Record(caller, AuditActions.ApiCreated, organizationId, "api", api.PublicId, api.Name, Describe(api));
        await db.SaveChangesAsync(cancellationToken);
        return api;
    }

    /// <summary>Changes an API; null when the caller may not see it.</summary>
    public async Task<ProtectedApi?> UpdateAsync(Caller caller, Guid apiId, ApiChanges changes, CancellationToken cancellationToken = default)
    {
        if (await TrackedAsync(caller, apiId, cancellationToken) is not { } api)
        {
            return null;
        }

        var errors = new Dictionary<string, string[]>();
        var name = changes.Name is null ? api.Name : CheckName(changes.Name, errors);
        CheckDescription(changes.Description, errors);
        var environments = changes.Environments is { } chosen ? CheckEnvironments(chosen, errors) : api.Environments;
        var protections = changes.Protections is not { IsEmpty: false } change ? api.Protections : ProtectionRules.Check(change.ApplyTo(api.Protections), quotaAllowed: false, errors);
        InvalidRequestException.ThrowIfAny(errors);
        if (name != api.Name)
        {
            await RefuseLookalikeNameAsync(api.OrganizationId, api.Id, name, cancellationToken);
        }

        if (changes.CaseSensitivePaths == false && api.CaseSensitivePaths
            && await RulesDifferingOnlyInCaseAsync(api.Id, cancellationToken) is { } pair)
        {
            throw new ConflictException("caseSensitivePaths", $"'{pair}' would become the same rule once case is ignored; delete one of them first.");
        }

        var before = Describe(api);
        api.Name = name;
        if (changes.Description is not null)
        {
            api.Description = Input.Blank(changes.Description);
        }

        api.Environments = environments;
        api.AllowUnmatchedRequests = changes.AllowUnmatchedRequests ?? api.AllowUnmatchedRequests;
        api.CaseSensitivePaths = changes.CaseSensitivePaths ?? api.CaseSensitivePaths;
        api.Protections = protections;
        audit.Record(caller, AuditActions.ApiUpdated, api.OrganizationId, "api", api.PublicId, api.Name, new { before, after = Describe(api) });
        await db.SaveChangesAsync(cancellationToken);
        policies.Invalidate(api.Id);
        return api;
    }

    /// <summary>
    /// Deletes an API and its rules; refused while a key is limited to it (removing it from such a
    /// key would widen the key to every API). False when the caller may not see it.
    /// </summary>
    public async Task<bool> DeleteAsync(Caller caller, Guid apiId, CancellationToken cancellationToken = default)
    {
        if (await TrackedAsync(caller, apiId, cancellationToken) is not { } api)
        {
            return false;
        }

        var limited = await db.ApiKeys.AsNoTracking()
            .Where(k => k.OrganizationId == api.OrganizationId && k.Status != Keys.KeyStatus.Revoked && k.Status != Keys.KeyStatus.Expired)
            .Select(k => new { k.Name, k.ApiIds })
            .ToListAsync(cancellationToken);
        if (limited.FirstOrDefault(k => k.ApiIds.Contains(api.Id)) is { } user)
        {
            throw new ConflictException("api", $"The key '{user.Name}' is limited to this API; change or revoke it first.");
        }

        db.Apis.Remove(api);
        audit.Record(caller, AuditActions.ApiDeleted, api.OrganizationId, "api", api.PublicId, api.Name);
        await db.SaveChangesAsync(cancellationToken);
        policies.Invalidate(api.Id);
        return true;
    }

    /// <summary>The API's endpoint rules by template and method; null when the caller may not see the API.</summary>
    public async Task<IReadOnlyList<EndpointRule>?> RulesAsync(Caller caller, Guid apiId, CancellationToken cancellationToken = default)
    {
        if (await FindAsync(caller, apiId, cancellationToken) is null)
        {
            return null;
        }

        return await db.EndpointRules.AsNoTracking().Where(r => r.ApiId == apiId).OrderBy(r => r.PathTemplate).ThenBy(r => r.Method).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Adds a rule; null when the caller may not see the API. <paramref name="cost"/> (1 when null) is what a request
    /// it allows takes from the key's quota; <paramref name="signatureRequired"/> makes a matching request carry a valid RFC 9421 signature.
    /// </summary>
    public async Task<EndpointRule?> AddRuleAsync(Caller caller, Guid apiId, string? method, string? pathTemplate, string? scope, CancellationToken cancellationToken = default, int? cost = null, bool signatureRequired = false)
    {
        if (await FindAsync(caller, apiId, cancellationToken) is not { } api)
        {
            return null;
        }

        var role = GiverRole(await permissions.RequireAsync(caller, PortalAction.ManageApis, api.OrganizationId, cancellationToken: cancellationToken));
        var errors = new Dictionary<string, string[]>();
        var verb = method?.Trim().ToUpperInvariant() ?? "";
        if (verb == "HEAD")
        {
            errors["method"] = ["HEAD requests are decided as GET: a rule for GET covers them."];
        }
        else if (!EndpointRule.Methods.Contains(verb))
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
        else if (GrantCheck.Problem(await access.CatalogAsync(api.OrganizationId, cancellationToken), role, required) is { } problem)
        {
            errors["scope"] = [problem];
        }

        if (cost is < 1 or > EndpointRule.MaxCost)
        {
            errors["cost"] = [$"A request's cost is 1 to {EndpointRule.MaxCost:N0} credits."];
        }

        InvalidRequestException.ThrowIfAny(errors);
        var existing = await db.EndpointRules.Where(r => r.ApiId == apiId).ToListAsync(cancellationToken);
        if (existing.Count >= MaxRules)
        {
            throw new InvalidRequestException("pathTemplate", $"An API has at most {MaxRules} endpoint rules.");
        }

        var shapes = ShapeComparer(api.CaseSensitivePaths);
        var clash = existing.FirstOrDefault(r => r.Method == verb && shapes.Equals(PathTemplate.TryParse(r.PathTemplate, out _)!.Shape, template!.Shape));
        if (clash is not null)
        {
            throw new ConflictException("pathTemplate", $"'{clash.Method} {clash.PathTemplate}' already requires '{clash.Scope}'; delete it first to change it.");
        }

        var rule = new EndpointRule
        {
            OrganizationId = api.OrganizationId,
            ApiId = apiId,
            Method = verb,
            PathTemplate = template!.Text,
            Scope = required,
            Cost = cost ?? 1,
            SignatureRequired = signatureRequired,
            CreatedAt = time.GetUtcNow(),
        };
        db.EndpointRules.Add(rule);
        audit.Record(caller, AuditActions.RuleAdded, api.OrganizationId, "endpoint_rule", rule.Id.ToString(), $"{rule.Method} {rule.PathTemplate}", new { api = api.PublicId, rule.Scope, rule.Cost, rule.SignatureRequired });
        await db.SaveChangesAsync(cancellationToken);
        policies.Invalidate(apiId);
        return rule;
    }

    /// <summary>Deletes a rule; false when the caller may not see the API or the API has no such rule.</summary>
    public async Task<bool> DeleteRuleAsync(Caller caller, Guid apiId, Guid ruleId, CancellationToken cancellationToken = default)
    {
        if (await FindAsync(caller, apiId, cancellationToken) is not { } api)
        {
            return false;
        }

        await permissions.RequireAsync(caller, PortalAction.ManageApis, api.OrganizationId, cancellationToken: cancellationToken);
        var rule = await db.EndpointRules.FirstOrDefaultAsync(r => r.Id == ruleId && r.ApiId == apiId, cancellationToken);
        if (rule is null)
        {
            return false;
        }

        db.EndpointRules.Remove(rule);
        audit.Record(caller, AuditActions.RuleDeleted, api.OrganizationId, "endpoint_rule", rule.Id.ToString(), $"{rule.Method} {rule.PathTemplate}", new { api = api.PublicId, rule.Scope });
        await db.SaveChangesAsync(cancellationToken);
        policies.Invalidate(apiId);
        return true;
    }

    // The API for a change: unknown and invisible answer null, visible without admin rights is refused.
    private async Task<ProtectedApi?> TrackedAsync(Caller caller, Guid apiId, CancellationToken cancellationToken)
    {
        var api = await db.Apis.FirstOrDefaultAsync(a => a.Id == apiId, cancellationToken);
        if (api is null || !await permissions.MayAsync(caller, PortalAction.ViewApis, api.OrganizationId, cancellationToken: cancellationToken))
        {
            return null;
        }

        await permissions.RequireAsync(caller, PortalAction.ManageApis, api.OrganizationId, cancellationToken: cancellationToken);
        return api;
    }

    // Platform administrators describe any organization's APIs with an admin's reach.
    private static OrganizationRole GiverRole(CallerStanding standing) => standing.Role is >= OrganizationRole.Admin ? standing.Role.Value : OrganizationRole.Admin;

    // Two rules for one method whose templates differ only in case are one rule to a case-insensitive API.
    private static StringComparer ShapeComparer(bool caseSensitive) => caseSensitive ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;

    private async Task<string?> RulesDifferingOnlyInCaseAsync(Guid apiId, CancellationToken cancellationToken)
    {
        var rules = await db.EndpointRules.AsNoTracking().Where(r => r.ApiId == apiId).Select(r => new { r.Method, r.PathTemplate }).ToListAsync(cancellationToken);
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var rule in rules)
        {
            var key = rule.Method + " " + PathTemplate.TryParse(rule.PathTemplate, out _)!.Shape;
            if (!seen.TryAdd(key, $"{rule.Method} {rule.PathTemplate}"))
            {
                return $"{seen[key]}' and '{rule.Method} {rule.PathTemplate}";
            }
        }

        return null;
    }

    private static object Describe(ProtectedApi api) =>
        new { api.Name, api.Description, environments = api.Environments.ToString(), api.AllowUnmatchedRequests, api.CaseSensitivePaths, protections = api.Protections.IsEmpty ? null : api.Protections };

    private static string CheckName(string? name, Dictionary<string, string[]> errors) =>
        DisplayName.Check(name, ProtectedApi.NameMaxLength, "name", errors, requiredMessage: "Name the API.");

    private static void CheckDescription(string? description, Dictionary<string, string[]> errors) =>
        DisplayName.CheckText(description, ProtectedApi.DescriptionMaxLength, "description", errors);

    // Names are told apart as a person reads them: case and compatibility forms (fullwidth letters) aside.
    private async Task RefuseLookalikeNameAsync(Guid organizationId, Guid? except, string name, CancellationToken cancellationToken)
    {
        var names = await db.Apis.AsNoTracking().Where(a => a.OrganizationId == organizationId && a.Id != except).Select(a => a.Name).ToListAsync(cancellationToken);
        var key = Folded(name);
        if (names.FirstOrDefault(n => Folded(n) == key) is { } existing)
        {
            throw new ConflictException("name", $"The organization already has an API named '{existing}'.");
        }
    }

    private static string Folded(string name) => name.Normalize(System.Text.NormalizationForm.FormKC).ToUpperInvariant();

    private static ApiEnvironments CheckEnvironments(ApiEnvironments environments, Dictionary<string, string[]> errors)
    {
        if (environments is not (ApiEnvironments.Live or ApiEnvironments.Test or ApiEnvironments.Both))
        {
            errors["environments"] = ["An API accepts live keys, test keys, or both."];
        }

        return environments;
    }
}
