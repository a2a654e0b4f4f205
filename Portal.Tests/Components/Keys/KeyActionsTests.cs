using Bunit;
using Portal.Components.Keys;

namespace Portal.Tests.Components.Keys;

public sealed class KeyActionsTests : PortalComponentTest
{
    [Fact]
    public void CanChange_ShowsEditRotateRevoke()
    {
        var actions = Render<KeyActions>(p => p.Add(a => a.CanChange, true));

        var buttons = actions.FindAll("button").Select(b => b.TextContent.Trim()).ToList();
        Assert.Equal(["Edit", "Rotate", "Revoke"], buttons);
    }

    [Fact]
    public void Viewer_SeesNoButtons()
    {
        var actions = Render<KeyActions>(p => p.Add(a => a.CanChange, false));

        Assert.Empty(actions.FindAll("button"));
    }
}
