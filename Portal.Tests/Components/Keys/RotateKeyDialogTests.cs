using Portal.Components.Keys;

namespace Portal.Tests.Components.Keys;

public sealed class RotateKeyDialogTests
{
    [Fact]
    public void GraceChoices_NoPolicy_OffersAllAndKeepsTheDialogDefault()
    {
        var (offered, preselected) = RotateKeyDialog.GraceChoices(null, null, TimeSpan.FromHours(24));

        Assert.Equal(RotateKeyDialog.Choices.Length, offered.Count);
        Assert.Equal(TimeSpan.FromHours(24), preselected);
    }

    [Fact]
    public void GraceChoices_PolicyMaximum_HidesLongerChoicesAndPreselectsWithinIt()
    {
        var (offered, preselected) = RotateKeyDialog.GraceChoices(12, null, TimeSpan.FromHours(24));

        Assert.All(offered, c => Assert.True(c.Grace <= TimeSpan.FromHours(12)));
        Assert.Equal(TimeSpan.FromHours(1), preselected);
    }

    [Fact]
    public void GraceChoices_PolicyDefault_IsOfferedAndPreselected()
    {
        var (offered, preselected) = RotateKeyDialog.GraceChoices(48, 6, TimeSpan.FromHours(24));

        Assert.Contains(offered, c => c.Grace == TimeSpan.FromHours(6) && c.Label.Contains("default", StringComparison.Ordinal));
        Assert.Equal(TimeSpan.FromHours(6), preselected);
        Assert.Equal(offered.OrderBy(c => c.Grace).Select(c => c.Grace), offered.Select(c => c.Grace));
    }
}
