using Portal.Core;
using Portal.Core.Names;

namespace Portal.Tests.Core.Names;

/// <summary>The one name rule: NFC, folded spaces, and no character that hides, reorders or fakes text.</summary>
public sealed class DisplayNameTests
{
    [Theory]
    // Not enumerated at discovery: serializing the cases would turn the lone surrogate into U+FFFD.
    [MemberData(nameof(DeceptiveNames.RefusedData), MemberType = typeof(DeceptiveNames), DisableDiscoveryEnumeration = true)]
    public void Require_DeceptiveCharacter_IsRefusedNamingTheFieldAndTheCodePoint(string what, string name, string codePoint)
    {
        var error = Assert.Throws<InvalidRequestException>(() => DisplayName.Require(name, 100));

        var message = Assert.Single(error.Errors["name"]);
        Assert.StartsWith("Name contains " + codePoint, message, StringComparison.Ordinal);
        Assert.True(message.EndsWith('.'), what);
    }

    [Fact]
    public void Require_RightToLeftOverride_SaysWhatItIsAndWhy()
    {
        var error = Assert.Throws<InvalidRequestException>(() => DisplayName.Require("invoice\u202Egpj.exe", 100));

        Assert.Equal("Name contains U+202E RIGHT-TO-LEFT OVERRIDE, which can disguise text.", Assert.Single(error.Errors["name"]));
    }

    [Theory]
    [MemberData(nameof(DeceptiveNames.EquivalentData), MemberType = typeof(DeceptiveNames))]
    public void Require_EquivalentSpellings_AreStoredAlike(string what, string first, string second, string stored)
    {
        Assert.Equal(stored, DisplayName.Require(first, 100));
        Assert.True(stored == DisplayName.Require(second, 100), what);
    }

    [Theory]
    [InlineData("  billing\t\n", "billing")]
    [InlineData("\u3000billing\u3000", "billing")]
    [InlineData("❤️ payments", "❤️ payments")]
    [InlineData("🔑 prod", "🔑 prod")]
    [InlineData("שלום payments", "שלום payments")]
    [InlineData("платежи", "платежи")]
    [InlineData("請求 サービス", "請求 サービス")]
    [InlineData("Tiếng Việt", "Tiếng Việt")]
    public void Require_OrdinaryText_IsKeptTrimmed(string name, string? stored)
    {
        if (stored is null)
        {
            Assert.Throws<InvalidRequestException>(() => DisplayName.Require(name, 100));
            return;
        }

        Assert.Equal(stored.Normalize(), DisplayName.Require(name, 100));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" \t ")]
    public void Check_Blank_IsRequiredWithTheGivenMessage(string? name)
    {
        var errors = new Dictionary<string, string[]>();

        DisplayName.Check(name, 100, "name", errors, requiredMessage: "Name the API.");

        Assert.Equal(["Name the API."], errors["name"]);
    }

    [Fact]
    public void Check_LongerThanTheLimitAfterNormalizing_IsRefused()
    {
        var errors = new Dictionary<string, string[]>();

        // 64 decomposed "é" are 128 code units as entered and 64 once composed: the stored form counts.
        Assert.Equal(new string('\u00E9', 64), DisplayName.Check(string.Concat(Enumerable.Repeat("e\u0301", 64)), 64, "name", errors));
        Assert.Empty(errors);
        DisplayName.Check(new string('a', 65), 64, "name", errors);
        Assert.Equal(["Name must be at most 64 characters."], errors["name"]);
    }

    [Fact]
    public void CheckText_Description_KeepsLineBreaksAndRefusesBidiControls()
    {
        var errors = new Dictionary<string, string[]>();

        Assert.Equal("line one\r\n\tline two caf\u00E9", DisplayName.CheckText(" line one\r\n\tline two cafe\u0301 ", 100, "description", errors));
        Assert.Empty(errors);
        DisplayName.CheckText("safe \u2067text\u2069", 100, "description", errors);
        Assert.StartsWith("Description contains U+2067 RIGHT-TO-LEFT ISOLATE", Assert.Single(errors["description"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_ForAFormField_IsTheSameMessageOrNull()
    {
        Assert.Null(DisplayName.Problem("billing", 64));
        Assert.Equal("Name contains U+200B ZERO WIDTH SPACE, which is invisible, so the text can look like other text.", DisplayName.Problem("bill\u200Bing", 64));
    }

    [Fact]
    public void Normalize_SearchText_MatchesTheStoredForm()
    {
        Assert.Equal("caf\u00E9 bar", DisplayName.Normalize(" cafe\u0301\u00A0 bar "));
        Assert.Equal("a\uD800", DisplayName.Normalize(" a\uD800 "));
    }
}
