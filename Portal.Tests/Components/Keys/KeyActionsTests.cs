using Bunit;
using Portal.Components.Keys;
using Portal.Core.Keys;

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

    [Theory]
    [InlineData(KeyStatus.Active, new[] { "Edit", "Rotate", "Revoke" })]
    [InlineData(KeyStatus.Suspended, new[] { "Rotate", "Revoke" })]
    [InlineData(KeyStatus.Disabled, new[] { "Revoke" })]
    [InlineData(KeyStatus.Revoked, new string[0])]
    [InlineData(KeyStatus.Expired, new string[0])]
    public void Status_DecidesWhatCanBeDone_ASuspendedKeyCanBeRotated(KeyStatus status, string[] expected)
    {
        var actions = Render<KeyActions>(p => p.Add(a => a.CanChange, true).Add(a => a.Status, status));

        Assert.Equal(expected, actions.FindAll("button").Select(b => b.TextContent.Trim()));
    }

    [Fact]
    public void Viewer_SeesNoButtons()
    {
        var actions = Render<KeyActions>(p => p.Add(a => a.CanChange, false));

        Assert.Empty(actions.FindAll("button"));
    }
}
