using Portal.Core.Webhooks;

namespace Portal.Tests.Core.Webhooks;

public sealed class WebhookSignatureTests
{
    private const string Id = "msg_0123456789";
    private const long Timestamp = 1764100000;
    private const string Body = """{"type":"key.expiring.7d"}""";

    [Fact]
    public void Sign_ThenVerify_AcceptsOnlyTheSameInputs()
    {
        var secret = WebhookSignature.NewSecret();
        var header = WebhookSignature.Sign(secret, Id, Timestamp, Body);

        Assert.StartsWith("v1,", header, StringComparison.Ordinal);
        Assert.True(WebhookSignature.Verify(secret, Id, Timestamp, Body, header));
        Assert.False(WebhookSignature.Verify(secret, Id, Timestamp + 1, Body, header));
        Assert.False(WebhookSignature.Verify(secret, "msg_other", Timestamp, Body, header));
        Assert.False(WebhookSignature.Verify(secret, Id, Timestamp, Body + " ", header));
        Assert.False(WebhookSignature.Verify(WebhookSignature.NewSecret(), Id, Timestamp, Body, header));
        Assert.False(WebhookSignature.Verify(secret, Id, Timestamp, Body, null));
    }

    [Fact]
    public void Verify_SeveralSignatures_AcceptsWhenOneMatches()
    {
        var secret = WebhookSignature.NewSecret();
        var old = WebhookSignature.Sign(WebhookSignature.NewSecret(), Id, Timestamp, Body);

        Assert.True(WebhookSignature.Verify(secret, Id, Timestamp, Body, $"{old} {WebhookSignature.Sign(secret, Id, Timestamp, Body)}"));
    }

    [Fact]
    public void FormatAndParse_RoundTripTheSecretBytes()
    {
        var secret = WebhookSignature.NewSecret();

        var shown = WebhookSignature.Format(secret);

        Assert.StartsWith("whsec_", shown, StringComparison.Ordinal);
        Assert.Equal(secret, WebhookSignature.Parse(shown));
        Assert.Equal(32, secret.Length);
    }
}
