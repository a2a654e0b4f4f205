using Bunit;

namespace Portal.Tests.Components;

/// <summary>
/// A bUnit context with the portal's test services. Disposed asynchronously because some
/// MudBlazor services are only IAsyncDisposable.
/// </summary>
public abstract class PortalComponentTest : BunitContext, IAsyncLifetime
{
    protected PortalComponentTest()
    {
        this.AddPortalTestServices();
        Popovers = Render<MudBlazor.MudPopoverProvider>();
    }

    /// <summary>Where open selects, menus and tooltips render their content.</summary>
    protected IRenderedComponent<MudBlazor.MudPopoverProvider> Popovers { get; }

    public Task InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => base.DisposeAsync().AsTask();
}
