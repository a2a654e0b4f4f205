using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Core.Permissions;

namespace Portal.Core.Access;

/// <summary>
/// Checks what someone wants to give a key or a permission set: well-formed scopes, resources and
/// actions of the organization's catalog, valid filters and schedules, and no escalation (only
/// admins grant <c>admin</c> actions or wildcards, directly or through a set).
/// Messages are filed under the request's field names (<c>grants[2].resources[0]</c>).
/// </summary>
public sealed class GrantCheck(PortalDbContext db)
{
    /// <summary>A resource every organization has: this product's own key API.</summary>
    public const string KeysResource = "keys";

    /// <summary>A resource every organization has: this product's own API registry (<c>/api/v1/apis</c>).</summary>
    public const string ApisResource = "apis";

    /// <summary>
    /// This product's own resources and their actions, present in every organization whatever its
    /// catalog holds. A key holding one acts with at most its owner's current role; <c>keys:admin</c>
    /// (other members' keys) is administrative, the others a developer may give.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> ProductResources = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        [KeysResource] = ["manage", "verify", "admin"],
        [ApisResource] = ["read", "manage"],
    };

    /// <summary>The scopes of this product's own resources, as the portal offers them.</summary>
    public static IEnumerable<string> ProductScopes => ProductResources.SelectMany(r => r.Value.Select(a => $"{r.Key}:{a}"));

    public async Task<IReadOnlyList<ApiResource>> CatalogAsync(Guid organizationId, CancellationToken cancellationToken) =>
        await db.ApiResources.AsNoTracking().Where(r => r.OrganizationId == organizationId).OrderBy(r => r.Name).ToListAsync(cancellationToken);

    /// <summary>Checks scopes, grants and a schedule, adding messages to <paramref name="errors"/>.</summary>
    public static void Check(
        IReadOnlyList<ApiResource> catalog,
        OrganizationRole role,
        IReadOnlyList<string>? scopes,
        IReadOnlyList<Grant>? grants,
        Dictionary<string, string[]> errors,
        Func<string, bool>? heldScope = null,
        Func<Grant, bool>? heldGrant = null)
    {
        // What a key already holds may stay on it, whoever edits the key: only additions (and
        // widened grants, which are new grants) are checked against the editor's role.
        OrganizationRole RoleFor(bool held) => held ? OrganizationRole.Admin : role;

        if (Scope.Validate(scopes) is { } formatError)
        {
            errors["scopes"] = [formatError];
        }
        else if (scopes is not null)
        {
            foreach (var scope in scopes)
            {
                if (Problem(catalog, RoleFor(heldScope?.Invoke(scope) == true), scope) is { } problem)
                {
                    errors["scopes"] = [problem];
                    break;
                }
            }
        }

        if (grants is null)
        {
            return;
        }

        if (grants.Count > Scope.MaxPerKey)
        {
            errors["grants"] = [$"At most {Scope.MaxPerKey} grants."];
            return;
        }

        for (var i = 0; i < grants.Count; i++)
        {
            var field = $"grants[{i}]";
            var grant = grants[i];
            if (grant is null)
            {
                errors[field] = ["A grant cannot be null."];
                continue;
            }

            if (!Scope.IsValid(grant.Scope))
            {
                errors[$"{field}.scope"] = [$"'{grant.Scope}' is not a scope: use resource:action."];
            }
            else if (Problem(catalog, RoleFor(heldScope?.Invoke(grant.Scope) == true || heldGrant?.Invoke(grant) == true), grant.Scope) is { } problem)
            {
                errors[$"{field}.scope"] = [problem];
            }

            var resources = grant.Resources ?? [];
            if (resources.Count > Grant.MaxResources)
            {
                errors[$"{field}.resources"] = [$"At most {Grant.MaxResources} resource patterns per grant."];
            }

            for (var r = 0; r < resources.Count && r < Grant.MaxResources; r++)
            {
                if (!ResourcePattern.IsValidPattern(resources[r]))
                {
                    errors[$"{field}.resources[{r}]"] = [$"'{resources[r]}' is not a resource pattern: use type/id, with * for any run of characters (asset/eu-*)."];
                }
            }

            CompiledSchedule.Validate(grant.Schedule, $"{field}.schedule", errors);
        }
    }

    /// <summary>Why a well-formed scope cannot be given here, or null.</summary>
    public static string? Problem(IReadOnlyList<ApiResource> catalog, OrganizationRole role, string scope)
    {
        if (!RoleRules.MayGive(role, scope))
        {
            return $"Only organization admins can grant '{scope}' (admin actions and wildcards).";
        }

        var resource = Scope.ResourceOf(scope);
        var action = Scope.ActionOf(scope);
        if (ProductResources.TryGetValue(resource, out var productActions))
        {
            return action == "*" || productActions.Contains(action) ? null : $"'{action}' is not an action of '{resource}' ({string.Join(", ", productActions)}).";
        }

        // An organization that has not described its APIs yet accepts any well-formed scope.
        if (catalog.Count == 0)
        {
            return null;
        }

        if (resource == "*")
        {
            return action == "*" || Scope.Level(action) > 0 || catalog.Any(r => r.CustomActions.Contains(action))
                ? null
                : $"'{action}' is not an action of any resource in the catalog.";
        }

        var known = catalog.FirstOrDefault(r => r.Name == resource);
        if (known is null)
        {
            return $"'{resource}' is not a resource of this organization's catalog.";
        }

        return action == "*" || known.Actions.Contains(action)
            ? null
            : $"'{action}' is not an action of '{resource}' ({string.Join(", ", known.Actions)}).";
    }
}
