using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace Portal.Tests.Components;

public static class PortalTestServices
{
    /// <summary>
    /// MudBlazor's services with loose JS interop (MudBlazor calls JS we do not emulate), the system
    /// clock, and fakes of the rate-limit store and the country database (<see cref="FakeRateLimitStore"/>,
    /// <see cref="FakeCountryLookup"/>: take them from <c>Services</c> to set what they answer).
    /// </summary>
    public static BunitContext AddPortalTestServices(this BunitContext context)
    {
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices(options => options.PopoverOptions.CheckForPopoverProvider = false);
        context.Services.AddSingleton(TimeProvider.System);
        // The protections' live state and the country database, as the key, API and policies pages read them.
        context.Services.AddSingleton<FakeRateLimitStore>();
        context.Services.AddSingleton<Portal.Core.Protections.IRateLimitStore>(sp => sp.GetRequiredService<FakeRateLimitStore>());
        context.Services.AddSingleton<FakeCountryLookup>();
        context.Services.AddSingleton<Portal.Core.Protections.ICountryLookup>(sp => sp.GetRequiredService<FakeCountryLookup>());
        // As in the portal, where every component runs in the circuit after prerendering.
        context.Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        return context;
    }

    /// <summary>Renders the dialog host (the popover host is rendered by <see cref="PortalComponentTest"/>); dialogs opened through IDialogService appear in the returned markup.</summary>
    public static IRenderedComponent<MudDialogProvider> RenderDialogHost(this BunitContext context)
    {
        return context.Render<MudDialogProvider>();
    }

    public static async Task<IDialogReference> ShowDialogAsync<TDialog>(this IRenderedComponent<MudDialogProvider> host, BunitContext context, DialogParameters<TDialog> parameters)
        where TDialog : Microsoft.AspNetCore.Components.IComponent
    {
        var dialogs = context.Services.GetRequiredService<IDialogService>();
        IDialogReference? reference = null;
        await host.InvokeAsync(async () => reference = await dialogs.ShowAsync<TDialog>("", parameters));
        return reference!;
    }
}
