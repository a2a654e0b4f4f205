using System.Reflection;
using Portal.Components.Keys;
using Portal.Core.Validation;

namespace Portal.Tests.Core.Validation;

/// <summary>The one table of reason codes in plain words: every code has words of its own, listed once.</summary>
public sealed class ReasonWordsTests
{
    public static TheoryData<string> EveryCode() => [.. Codes()];

    [Theory]
    [MemberData(nameof(EveryCode))]
    public void EveryCode_HasWordsOfItsOwn(string code)
    {
        var words = ReasonWords.Of(code);

        Assert.NotEqual(code, words);
        Assert.EndsWith(".", words);
        // The test-access tool reads the same table.
        Assert.Equal(words, AccessWords.Reason(code));
    }

    [Fact]
    public void Codes_ListsEveryReasonCodeOnce()
    {
        Assert.Equal(Codes().Order(StringComparer.Ordinal), ReasonWords.Codes.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void WordsOfTwoCodes_AreNeverTheSame()
    {
        Assert.Equal(ReasonWords.Codes.Count, ReasonWords.Codes.Select(ReasonWords.Of).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void UnknownCode_IsGivenBackAsItIs()
    {
        Assert.Equal("SOMETHING_NEW", ReasonWords.Of("SOMETHING_NEW"));
    }

    [Theory]
    [InlineData(ReasonCodes.Missing, "No key was sent")]
    [InlineData(ReasonCodes.Malformed, "not a well-formed key")]
    [InlineData(ReasonCodes.NoMatchingRule, "No endpoint rule of the API matches")]
    [InlineData(ReasonCodes.InsufficientScope, "No grant of the key covers the required scope")]
    public void LookalikeCodes_SayWhatTellsThemApart(string code, string words)
    {
        Assert.Contains(words, ReasonWords.Of(code));
    }

    private static IEnumerable<string> Codes() =>
        typeof(ReasonCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f is { IsLiteral: true, FieldType: var t } && t == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!);
}
