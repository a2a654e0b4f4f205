using Portal.Core.Protections;

namespace Portal.Tests.Core.Protections;

/// <summary>Country allow and deny lists: ISO 3166-1 alpha-2 codes only, and what passes them.</summary>
public sealed class CountryListTests
{
    private const string Field = "countries";

    [Fact]
    public void IsAssigned_HoldsTheOfficiallyAssignedCodesAndXK()
    {
        var assigned = Enumerable.Range(0, CountryCode.Space).Select(v => new CountryCode((ushort)v)).Where(CountryList.IsAssigned).Select(c => c.ToString()).ToList();

        // 249 officially assigned codes (ISO 3166-1, 2024) and XK, which geo databases use for Kosovo.
        Assert.Equal(250, assigned.Count);
        Assert.Equal(CountryList.MaxEntries, assigned.Count);
        Assert.Contains("XK", assigned);
        Assert.False(CountryList.IsAssigned(CountryCode.None));
    }

    [Theory]
    [InlineData("DE", true)]
    [InlineData("US", true)]
    [InlineData("GB", true)]
    [InlineData("SS", true)] // South Sudan, assigned 2011
    [InlineData("BQ", true)]
    [InlineData("XK", true)] // Kosovo, user-assigned: accepted because geo databases emit it
    [InlineData("UK", false)] // exceptionally reserved; the code is GB
    [InlineData("EU", false)] // exceptionally reserved
    [InlineData("ZZ", false)] // user-assigned
    [InlineData("AA", false)]
    [InlineData("XX", false)]
    [InlineData("QO", false)]
    [InlineData("AN", false)] // Netherlands Antilles, withdrawn 2010
    [InlineData("CS", false)] // withdrawn
    [InlineData("YU", false)] // withdrawn
    public void IsAssigned_Code(string code, bool expected)
    {
        Assert.True(CountryCode.TryFrom(code, out var country));
        Assert.Equal(expected, CountryList.IsAssigned(country));
    }

    [Fact]
    public void Parse_EitherCase_IsStoredUpperCaseSorted()
    {
        var errors = new Dictionary<string, string[]>();
        var list = CountryList.Parse(new CountryRules(Allow: ["us", "De", " fr ", "CH"], Deny: ["ru", "KP"]), Field, errors);

        Assert.Empty(errors);
        Assert.Equal(["CH", "DE", "FR", "US"], list.Allow);
        Assert.Equal(["KP", "RU"], list.Deny);
        Assert.False(list.IsEmpty);
    }

    [Theory]
    [InlineData("ZZ")]
    [InlineData("USA")]
    [InlineData("u1")]
    [InlineData("U")]
    [InlineData("UK")]
    [InlineData("EU")]
    [InlineData("Ü1")]
    [InlineData("Germany")]
    [InlineData("276")]
    public void Parse_UnknownCode_IsRefusedUnderTheEntry(string code)
    {
        var errors = new Dictionary<string, string[]>();
        var list = CountryList.Parse(new CountryRules(Allow: ["DE", code], Deny: [code]), Field, errors);

        Assert.Equal(["countries.allow[1]", "countries.deny[0]"], errors.Keys.Order());
        Assert.Equal($"'{code}' is not an ISO 3166-1 alpha-2 country code (two letters such as DE or US).", Assert.Single(errors["countries.allow[1]"]));
        Assert.Equal(["DE"], list.Allow);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData(null)]
    public void Parse_EmptyCode_IsRefused(string? code)
    {
        var errors = new Dictionary<string, string[]>();
        CountryList.Parse(new CountryRules(Deny: ["DE", code!]), Field, errors);

        Assert.Contains("cannot be empty", Assert.Single(errors["countries.deny[1]"]));
        Assert.Single(errors);
    }

    [Fact]
    public void Parse_CodeGivenTwiceInAList_IsRefusedNamingTheFirst()
    {
        var errors = new Dictionary<string, string[]>();
        var list = CountryList.Parse(new CountryRules(Allow: ["DE", "FR", "de"]), Field, errors);

        Assert.Equal("'DE' is given twice in this list (entry 0).", Assert.Single(errors["countries.allow[2]"]));
        Assert.Single(errors);
        Assert.Equal(["DE", "FR"], list.Allow);
    }

    [Fact]
    public void Parse_CodeInBothLists_IsRefusedUnderTheDenyEntry()
    {
        var errors = new Dictionary<string, string[]>();
        CountryList.Parse(new CountryRules(Allow: ["DE", "FR"], Deny: ["RU", "fr"]), Field, errors);

        Assert.Equal("'FR' is in the allow list too; a country can be allowed or denied, not both.", Assert.Single(errors["countries.deny[1]"]));
        Assert.Single(errors);
    }

    [Fact]
    public void Parse_MoreThanMaxEntries_IsRefusedUnderTheList_WithoutReadingThem()
    {
        var tooMany = Enumerable.Repeat("ZZ", CountryList.MaxEntries + 1).ToList();
        var errors = new Dictionary<string, string[]>();
        CountryList.Parse(new CountryRules(Allow: tooMany, Deny: tooMany), Field, errors);

        Assert.Equal(["countries.allow", "countries.deny"], errors.Keys.Order());
        Assert.Equal("A list can have at most 250 countries; 251 were given.", Assert.Single(errors["countries.allow"]));
    }

    [Fact]
    public void Parse_EveryAssignedCode_FitsInOneList()
    {
        var all = Enumerable.Range(0, CountryCode.Space).Select(v => new CountryCode((ushort)v)).Where(CountryList.IsAssigned).Select(c => c.ToString().ToLowerInvariant()).Reverse().ToList();
        var errors = new Dictionary<string, string[]>();
        var list = CountryList.Parse(new CountryRules(Deny: all), Field, errors);

        Assert.Empty(errors);
        Assert.Equal(all.Select(c => c.ToUpperInvariant()).Order(StringComparer.Ordinal), list.Deny);
    }

    [Fact]
    public void Parse_NullOrEmpty_IsEmpty()
    {
        var errors = new Dictionary<string, string[]>();

        Assert.Same(CountryList.Empty, CountryList.Parse(null, Field, errors));
        Assert.Same(CountryList.Empty, CountryList.Parse(new CountryRules(), Field, errors));
        Assert.Same(CountryList.Empty, CountryList.Parse(new CountryRules([], []), Field, errors));
        Assert.Empty(errors);
        Assert.True(CountryList.Empty.IsEmpty);
        Assert.Empty(CountryList.Empty.Allow);
        Assert.Empty(CountryList.Empty.Deny);
    }

    [Theory]
    // No rules: everything passes, an unknown country too.
    [InlineData(null, null, "DE", true)]
    [InlineData(null, null, null, true)]
    // An allow list: only its countries; an unknown country does not pass.
    [InlineData("DE,FR", null, "DE", true)]
    [InlineData("DE,FR", null, "FR", true)]
    [InlineData("DE,FR", null, "US", false)]
    [InlineData("DE,FR", null, null, false)]
    [InlineData("AD", null, "AD", true)] // the first code
    [InlineData("ZW", null, "ZW", true)] // the last code
    [InlineData("ZW", null, "AD", false)]
    // A deny list: all but its countries; an unknown country passes (no database places it).
    [InlineData(null, "RU,KP", "RU", false)]
    [InlineData(null, "RU,KP", "KP", false)]
    [InlineData(null, "RU,KP", "DE", true)]
    [InlineData(null, "RU,KP", null, true)]
    // Both.
    [InlineData("DE,FR", "RU", "DE", true)]
    [InlineData("DE,FR", "RU", "RU", false)]
    [InlineData("DE,FR", "RU", "US", false)]
    [InlineData("DE,FR", "RU", null, false)]
    public void Allows_Country(string? allow, string? deny, string? country, bool expected)
    {
        var errors = new Dictionary<string, string[]>();
        var list = CountryList.Parse(new CountryRules(allow?.Split(',').ToList(), deny?.Split(',').ToList()), Field, errors);
        Assert.Empty(errors);
        var code = CountryCode.None;
        if (country is not null)
        {
            Assert.True(CountryCode.TryFrom(country, out code));
        }

        Assert.Equal(expected, list.Allows(code));
    }

    [Fact]
    public void Denies_OnlyTheDenyList()
    {
        var list = CountryList.Parse(new CountryRules(Allow: ["DE"], Deny: ["RU"]), Field, []);

        Assert.True(list.Denies(Code("RU")));
        Assert.False(list.Denies(Code("DE")));
        Assert.False(list.Denies(Code("US")));
        Assert.False(list.Denies(CountryCode.None));
    }

    [Fact]
    public void Allows_AllocatesNothing()
    {
        var list = CountryList.Parse(new CountryRules(Allow: ["DE", "FR", "CH"], Deny: ["RU"]), Field, []);
        var de = Code("DE");
        var ru = Code("RU");
        list.Allows(de);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var passed = 0;
        for (var i = 0; i < 1000; i++)
        {
            passed += (list.Allows(de) ? 1 : 0) + (list.Allows(ru) ? 1 : 0) + (list.Allows(CountryCode.None) ? 1 : 0);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1000, passed);
    }

    private static CountryCode Code(string text)
    {
        Assert.True(CountryCode.TryFrom(text, out var code));
        return code;
    }
}
