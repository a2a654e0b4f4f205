using Bunit;
using MudBlazor;
using Portal.Components.Organizations;
using Portal.Core.Names;
using Portal.Core.Organizations;

namespace Portal.Tests.Components.Organizations;

/// <summary>The create-organization and invite dialogs show the name and email rules' messages on their fields.</summary>
public sealed class OrganizationDialogsTests : PortalComponentTest
{
    [Fact]
    public async Task CreateOrganizationDialog_NameWithZeroWidthSpace_ShowsTheDirectorysMessageOnTheField()
    {
        var host = this.RenderDialogHost();
        // What OrganizationDirectory.CreateAsync does with the name before anything else.
        await host.ShowDialogAsync(this, new DialogParameters<CreateOrganizationDialog>
        {
            { d => d.Create, name => Task.FromResult(new OrganizationSummary(Guid.NewGuid(), DisplayName.Require(name, OrganizationDirectory.NameMaxLength), false, OrganizationRole.Owner)) },
        });

        FieldQueries.Input(host, "Name").Change("Acme\u200B Corp");
        await FieldQueries.Button(host, "Create").ClickAsync(new());

        host.WaitForAssertion(() => Assert.Contains("Name contains U+200B ZERO WIDTH SPACE", FieldQueries.Field(host, "Name").TextContent, StringComparison.Ordinal));
        Assert.NotEmpty(host.FindAll(".mud-dialog"));
    }

    [Fact]
    public async Task InviteMemberDialog_AddressWithApostropheAndPlus_IsSent()
    {
        var host = this.RenderDialogHost();
        string? sent = null;
        await host.ShowDialogAsync(this, new DialogParameters<InviteMemberDialog>
        {
            { d => d.Invite, (email, _) => { sent = email; return Task.FromResult<IssuedInvitation?>(null); } },
        });

        FieldQueries.Input(host, "Email").Change("o'brien+tag@example.com");
        await FieldQueries.Button(host, "Invite").ClickAsync(new());

        host.WaitForAssertion(() => Assert.Equal("o'brien+tag@example.com", sent));
    }

    [Fact]
    public async Task InviteMemberDialog_AddressWithBidiControl_ShowsTheCodePointAndIsNotSent()
    {
        var host = this.RenderDialogHost();
        var calls = 0;
        await host.ShowDialogAsync(this, new DialogParameters<InviteMemberDialog>
        {
            { d => d.Invite, (_, _) => { calls++; return Task.FromResult<IssuedInvitation?>(null); } },
        });

        FieldQueries.Input(host, "Email").Change("admin\u202E@example.com");
        await FieldQueries.Button(host, "Invite").ClickAsync(new());

        host.WaitForAssertion(() => Assert.Contains("U+202E RIGHT-TO-LEFT OVERRIDE", FieldQueries.Field(host, "Email").TextContent, StringComparison.Ordinal));
        Assert.Equal(0, calls);
    }
}
