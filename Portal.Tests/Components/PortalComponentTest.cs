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
        Render<MudBlazor.MudPopoverProvider>();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => base.DisposeAsync().AsTask();
}
