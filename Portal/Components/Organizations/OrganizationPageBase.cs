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

    protected bool IsAdmin => Organization?.Role >= OrganizationRole.Admin;

    protected bool CanWrite => Organization?.Role >= OrganizationRole.Developer;

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
