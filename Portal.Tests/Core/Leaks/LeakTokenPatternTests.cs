using System.Text.RegularExpressions;
using Portal.Core.Keys;
using Portal.Core.Leaks;

namespace Portal.Tests.Core.Leaks;

/// <summary>The regular expression the README gives secret scanners finds every token the product makes, and nothing else.</summary>
public sealed class LeakTokenPatternTests
{
    private static readonly Regex Pattern = new(LeakTokenPattern.For(new KeyOptions()), RegexOptions.CultureInvariant);

    [Fact]
    public void For_DefaultPrefixes_IsThePatternTheReadmeGives()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));

        Assert.Equal(@"\b(?:pk_live|pk_test)_[0-9A-Za-z]{32}[0-4][0-9A-Za-z]{5}\b", LeakTokenPattern.For(new KeyOptions()));
        Assert.Contains(LeakTokenPattern.For(new KeyOptions()), readme, StringComparison.Ordinal);
    }

    [Fact]
    public void Pattern_MatchesEveryGeneratedToken_OfBothEnvironments_InText()
    {
        // 20,000 tokens: the checksum's first digit takes each of its five values thousands of times.
        var firstDigits = new HashSet<char>();
        foreach (var prefix in new[] { "pk_live", "pk_test" })
        {
            for (var i = 0; i < 10_000; i++)
            {
                var token = ApiKeyToken.Generate(prefix);
                firstDigits.Add(token[^ApiKeyToken.ChecksumLength]);
                Assert.Equal(token, Pattern.Match($"API_KEY=\"{token}\"\n").Value);
            }
        }

        Assert.Equal("01234", string.Concat(firstDigits.Order()));
    }

    [Fact]
    public void Pattern_ForOtherPrefixes_MatchesTheirTokens()
    {
        var pattern = new Regex(LeakTokenPattern.For(["acme_prod", "a"]));

        Assert.Matches(pattern, ApiKeyToken.Generate("acme_prod"));
        Assert.Matches(pattern, ApiKeyToken.Generate("a"));
        Assert.DoesNotMatch(pattern, ApiKeyToken.Generate("pk_live"));
    }

    public static TheoryData<string, string> NotTokens()
    {
        var token = ApiKeyToken.Generate("pk_live");
        var random = token[8..40];
        return new()
        {
            { "another prefix", ApiKeyToken.Generate("sk_live") },
            { "a prefix that only ends like ours", "xpk_live_" + token[8..] },
            { "inside a longer word", token + "x" },
            { "after a word character", "a" + token },
            { "31 random characters", "pk_live_" + random[1..] + token[^6..] },
            { "33 random characters", "pk_live_" + random + "A" + token[^6..] },
            { "a checksum too large for a CRC-32", "pk_live_" + random + "5" + token[^5..] },
            { "a checksum starting with a letter", "pk_live_" + random + "z" + token[^5..] },
            { "a character outside base62", "pk_live_" + random[..10] + "-" + random[11..] + token[^6..] },
            { "upper-case prefix", token.Replace("pk_live", "PK_LIVE") },
            { "no separator", "pk_live" + token[8..] },
        };
    }

    [Theory]
    [MemberData(nameof(NotTokens))]
    public void Pattern_DoesNotMatch(string scenario, string text)
    {
        Assert.False(Pattern.IsMatch(text), scenario);
    }

    [Fact]
    public void Pattern_MatchesOnlyWhatTheChecksumAllows_ButNotEveryMatchIsAToken()
    {
        // A scanner's match is a candidate: the CRC decides, and the report endpoint checks it.
        var token = ApiKeyToken.Generate("pk_test");
        var wrongChecksum = token[..^1] + (token[^1] == '0' ? '1' : '0');

        Assert.Matches(Pattern, wrongChecksum);
        Assert.False(ApiKeyToken.TryParse(wrongChecksum, out _));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Portal.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Portal.sln not found above the test binaries.");
    }
}
