using Portal.Core.Permissions;
using Microsoft.AspNetCore.Components;
using Portal.Account;
using Portal.Core.Organizations;

namespace Portal.Components.Organizations;

/// <summary>
/// A page inside one organization (<c>/orgs/{OrganizationId}/...</c>). It loads the caller's
/// membership first; a page of an organization the caller is not in renders "not found", exactly
/// like an id that does not exist.
/// </summary>
public abstract class OrganizationPageBase : ComponentBase
{
    [Parameter]
    public Guid OrganizationId { get; set; }

    [Inject]
    protected PortalCaller Callers { get; set; } = default!;

    [Inject]
    protected OrganizationDirectory Organizations { get; set; } = default!;

    [Inject]
    protected TimeProvider Time { get; set; } = default!;

    protected Caller Caller { get; private set; } = default!;

    protected OrganizationSummary? Organization { get; private set; }

    protected bool Loaded { get; private set; }

    /// <summary>Whether the signed-in member's role allows <paramref name="action"/> (on a key owned by <paramref name="ownerId"/>): the room's rule, for what a page shows.</summary>
    protected bool May(PortalAction action, Guid? ownerId = null) =>
        PermissionRules.Allows(Organization?.Role, action, othersObject: ownerId is { } owner && owner != Caller.UserId);

    /// <summary>Whether the member sees every key of the organization (and their usage and log lines), not only their own.</summary>
    protected bool SeesAllKeys => PermissionRules.Allows(Organization?.Role, PortalAction.ViewKey, othersObject: true);

    /// <summary>Whether the member manages members and invitations.</summary>
    protected bool IsAdmin => May(PortalAction.ManageMembers);

    protected override async Task OnParametersSetAsync()
    {
        Caller = await Callers.GetAsync() ?? throw new InvalidOperationException("Organization pages require a signed-in user.");
        Organization = await Organizations.FindAsync(Caller, OrganizationId);
        if (Organization is not null)
        {
            await OnOrganizationLoadedAsync();
        }

        Loaded = true;
    }

    protected virtual Task OnOrganizationLoadedAsync() => Task.CompletedTask;
}
