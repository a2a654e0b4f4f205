using Bunit;
using MudBlazor;
using Portal.Components.Keys;
using Portal.Core.Apis;
using Portal.Core.Keys;

namespace Portal.Tests.Components.Keys;

/// <summary>The create-key dialog's "Limit to APIs" picker.</summary>
public sealed class CreateKeyDialogApisTests : PortalComponentTest
{
    private static readonly ProtectedApi Orders = new() { Name = "orders" };
    private static readonly ProtectedApi Billing = new() { Name = "billing" };

    [Fact]
    public async Task CreateKeyDialog_ApiChosen_CreatesTheKeyLimitedToIt()
    {
        var host = this.RenderDialogHost();
        CreateKeyCommand? sent = null;
        await host.ShowDialogAsync(this, new DialogParameters<CreateKeyDialog>
        {
            { d => d.Create, command => { sent = command; return Task.FromResult(new IssuedKey(new ApiKey { Name = "k", Hint = "h" }, "t")); } },
            { d => d.Apis, [Billing, Orders] },
        });

        Assert.Contains("None chosen: the key may call all of the organization's APIs.", host.Markup);
        host.Find("input").Input("limited");
        await host.Find("div.mud-input-control:has([data-testid=api-picker])").MouseDownAsync(new());
        Popovers.WaitForAssertion(() => Assert.Equal(["billing", "orders"], Popovers.FindAll("div.mud-list-item").Select(i => i.TextContent.Trim())));
        await Popovers.FindAll("div.mud-list-item").Single(i => i.TextContent.Trim() == "orders").ClickAsync(new());
        await host.FindAll("button").Single(b => b.TextContent.Trim() == "Create").ClickAsync(new());

        host.WaitForAssertion(() => Assert.NotNull(sent));
        Assert.Equal([Orders.Id], sent!.ApiIds);
    }

    [Fact]
    public async Task CreateKeyDialog_NothingChosen_CreatesAKeyForAllApis()
    {
        var host = this.RenderDialogHost();
        CreateKeyCommand? sent = null;
        await host.ShowDialogAsync(this, new DialogParameters<CreateKeyDialog>
        {
            { d => d.Create, command => { sent = command; return Task.FromResult(new IssuedKey(new ApiKey { Name = "k", Hint = "h" }, "t")); } },
            { d => d.Apis, [Orders] },
        });

        host.Find("input").Input("unlimited");
        await host.FindAll("button").Single(b => b.TextContent.Trim() == "Create").ClickAsync(new());

        host.WaitForAssertion(() => Assert.NotNull(sent));
        Assert.Empty(sent!.ApiIds!);
    }

    [Fact]
    public async Task CreateKeyDialog_ServerRefusesApi_ShowsTheMessageOnThePicker()
    {
        var host = this.RenderDialogHost();
        await host.ShowDialogAsync(this, new DialogParameters<CreateKeyDialog>
        {
            { d => d.Create, _ => throw new Portal.Core.InvalidRequestException("apiIds", $"'{Orders.PublicId}' is not an API of this organization.") },
            { d => d.Apis, [Orders] },
        });

        host.Find("input").Input("refused");
        await host.FindAll("button").Single(b => b.TextContent.Trim() == "Create").ClickAsync(new());

        host.WaitForAssertion(() => Assert.Contains("is not an API of this organization.", host.Markup));
        Assert.NotEmpty(host.FindAll(".mud-dialog"));
    }
}
