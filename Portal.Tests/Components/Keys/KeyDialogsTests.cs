using Bunit;
using MudBlazor;
using Portal.Components.Keys;
using Portal.Core;
using Portal.Core.Keys;

namespace Portal.Tests.Components.Keys;

public sealed class KeyDialogsTests : PortalComponentTest
{
    [Fact]
    public async Task CreateKeyDialog_EmptyName_ShowsRequiredAndDoesNotCreate()
    {
        var host = this.RenderDialogHost();
        var calls = 0;
        await host.ShowDialogAsync(this, new DialogParameters<CreateKeyDialog> { { d => d.Create, _ => { calls++; return Task.FromResult<IssuedKey>(null!); } } });

        await host.FindAll("button").Single(b => b.TextContent.Trim() == "Create").ClickAsync(new());

        host.WaitForAssertion(() => Assert.Contains("Name is required.", host.Markup));
        Assert.Equal(0, calls);
    }

    [Fact]
    public async Task CreateKeyDialog_ServerRejectsName_ShowsServerMessageOnTheField()
    {
        var host = this.RenderDialogHost();
        await host.ShowDialogAsync(this, new DialogParameters<CreateKeyDialog>
        {
            { d => d.Create, _ => throw new ConflictException("name", "You already have a key named billing.") },
        });

        host.Find("input").Input("billing");
        await host.FindAll("button").Single(b => b.TextContent.Trim() == "Create").ClickAsync(new());

        host.WaitForAssertion(() => Assert.Contains("You already have a key named billing.", host.Markup));
        Assert.NotEmpty(host.FindAll("[role=dialog], .mud-dialog"));
    }

    [Fact]
    public async Task CreateKeyDialog_NameWithRightToLeftOverride_ShowsTheCodePointOnTheFieldAndDoesNotCreate()
    {
        var host = this.RenderDialogHost();
        var calls = 0;
        await host.ShowDialogAsync(this, new DialogParameters<CreateKeyDialog> { { d => d.Create, _ => { calls++; return Task.FromResult<IssuedKey>(null!); } } });

        FieldQueries.Input(host, "Name").Input("invoice\u202Egpj.exe");
        await host.FindAll("button").Single(b => b.TextContent.Trim() == "Create").ClickAsync(new());

        host.WaitForAssertion(() => Assert.Contains(
            "Name contains U+202E RIGHT-TO-LEFT OVERRIDE, which can disguise text.", FieldQueries.Field(host, "Name").TextContent, StringComparison.Ordinal));
        Assert.Equal(0, calls);
    }

    [Fact]
    public async Task CreateKeyDialog_InvalidScope_IsRefusedBeforeSubmitting()
    {
        var host = this.RenderDialogHost();
        await host.ShowDialogAsync(this, new DialogParameters<CreateKeyDialog> { { d => d.Create, _ => Task.FromResult<IssuedKey>(null!) } });

        var scopeInput = host.FindAll("input").First(i => i.GetAttribute("placeholder") == "orders:read");
        scopeInput.Input("Not A Scope");
        await host.FindAll("button").Single(b => b.TextContent.Trim() == "Add scope").ClickAsync(new());

        host.WaitForAssertion(() => Assert.Contains("is not a scope", host.Markup));
    }

    [Fact]
    public async Task RevealTokenDialog_ShowsTokenOnceWithWarningAndCopyButton()
    {
        var host = this.RenderDialogHost();
        await host.ShowDialogAsync(this, new DialogParameters<RevealTokenDialog>
        {
            { d => d.Title, "Your new key" },
            { d => d.Secret, "pk_test_abc" },
        });

        Assert.Equal("pk_test_abc", host.Find("[data-testid=revealed-secret]").TextContent);
        Assert.Contains("will not be shown again", host.Markup);
        Assert.NotNull(host.Find("button[aria-label=Copy]"));
    }

    [Fact]
    public async Task RevokeKeyDialog_NamesTheKey_AndConfirms()
    {
        var host = this.RenderDialogHost();
        var reference = await host.ShowDialogAsync(this, new DialogParameters<RevokeKeyDialog> { { d => d.KeyName, "billing" } });

        Assert.Contains("Revoke <b>billing</b>?", host.Markup);
        await host.FindAll("button").Single(b => b.TextContent.Trim() == "Revoke billing").ClickAsync(new());

        var result = await reference.Result;
        Assert.False(result!.Canceled);
    }

    [Fact]
    public async Task RevokeKeyDialog_Cancel_DoesNotConfirm()
    {
        var host = this.RenderDialogHost();
        var reference = await host.ShowDialogAsync(this, new DialogParameters<RevokeKeyDialog> { { d => d.KeyName, "billing" } });

        await host.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").ClickAsync(new());

        Assert.True((await reference.Result)!.Canceled);
    }

    [Fact]
    public async Task RotateKeyDialog_SuspendedKey_OffersNoGrace_SaysTheOldTokenStopsAtOnce_AndAsksForNone()
    {
        var host = this.RenderDialogHost();
        var reference = await host.ShowDialogAsync(this, new DialogParameters<RotateKeyDialog>
        {
            { d => d.KeyName, "billing" },
            { d => d.Suspended, true },
            { d => d.DefaultGraceHours, 24 },
        });

        var warning = string.Join(' ', host.Find("[data-testid=rotate-suspended]").TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("stops working at once, with no grace period", warning);
        Assert.Contains("stays suspended until an admin lifts the suspension", warning);
        Assert.DoesNotContain("Old token keeps working for", host.Markup);
        await host.FindAll("button").Single(b => b.TextContent.Trim() == "Rotate").ClickAsync(new());

        var result = await reference.Result;
        Assert.Equal(TimeSpan.Zero, Assert.IsType<TimeSpan>(result!.Data));
    }

    [Fact]
    public async Task RotateKeyDialog_ActiveKey_OffersTheGrace_AndAsksForTheChosenOne()
    {
        var host = this.RenderDialogHost();
        var reference = await host.ShowDialogAsync(this, new DialogParameters<RotateKeyDialog>
        {
            { d => d.KeyName, "billing" },
            { d => d.DefaultGraceHours, 24 },
        });

        Assert.Contains("Old token keeps working for", host.Markup);
        Assert.Empty(host.FindAll("[data-testid=rotate-suspended]"));
        await host.FindAll("button").Single(b => b.TextContent.Trim() == "Rotate").ClickAsync(new());

        Assert.Equal(TimeSpan.FromHours(24), Assert.IsType<TimeSpan>((await reference.Result)!.Data));
    }
}
