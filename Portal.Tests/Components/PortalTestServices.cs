using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace Portal.Tests.Components;

public static class PortalTestServices
{
    /// <summary>MudBlazor's services with loose JS interop (MudBlazor calls JS we do not emulate), and the system clock.</summary>
    public static BunitContext AddPortalTestServices(this BunitContext context)
    {
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices(options => options.PopoverOptions.CheckForPopoverProvider = false);
        context.Services.AddSingleton(TimeProvider.System);
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
