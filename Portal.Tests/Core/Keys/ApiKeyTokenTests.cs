using System.Text;
using Portal.Core.Keys;

using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Keys;

public sealed class ApiKeyTokenTests
{
    // Computed outside .NET (python3: zlib.crc32 of the UTF-8 bytes, then 6 base62 digits, most
    // significant first, zero-padded), so the product's CRC and encoding are checked against the
    // definition in DESIGN.md rather than against themselves.
    public static TheoryData<string, uint, string> ChecksumVectors => new()
    {
        { SampleTokens.Prefix + SampleTokens.Body, 3993500390u, "4MGJsc" },
        { "pk_live_" + "abcdefghijklmnopqrstuvwxyz" + "ABCDEF", 1664787978u, "1ofHP0" },
        { SampleTokens.Prefix + "00000000000000000000000000000000", 315028085u, "0LJpC9" },
        { SampleTokens.Prefix + "00000000000000000000000000000141", 7302608u, "00Udk0" },
        { "a_zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", 3016353481u, "3I8JKb" },
        { "acme_prod_2024_Zq8mN3pX7vK1wR5tY9bC2dF6gH4jL0sA", 3203623342u, "3Uo4mE" },
    };

    [Theory]
    [MemberData(nameof(ChecksumVectors))]
    public void Crc32_KnownVector_MatchesZlib(string signed, uint crc, string _)
    {
        Assert.Equal(crc, ApiKeyToken.Crc32(signed));
        Assert.Equal(crc, ApiKeyToken.Crc32Utf8(signed));
    }

    [Theory]
    [MemberData(nameof(ChecksumVectors))]
    public void WriteChecksum_KnownVector_IsSixBase62DigitsMostSignificantFirst(string _, uint crc, string checksum)
    {
        Span<char> written = stackalloc char[ApiKeyToken.ChecksumLength];
        ApiKeyToken.WriteChecksum(crc, written);
        Assert.Equal(checksum, written.ToString());
    }

    [Theory]
    [MemberData(nameof(ChecksumVectors))]
    public void TryParse_KnownVector_Accepts(string signed, uint _, string checksum)
    {
        var token = signed + checksum;

        Assert.True(ApiKeyToken.TryParse(token, out var prefix));
        Assert.Equal(signed[..^(ApiKeyToken.RandomLength + 1)], prefix.ToString());
    }

    [Theory]
    [InlineData("", 0u)]
    [InlineData("123456789", 3421780262u)] // the CRC-32 check value
    [InlineData("héllo", 2654700086u)]
    [InlineData("pk_test_é", 1979654836u)]
    public void Crc32Utf8_KnownVector_MatchesZlib(string text, uint crc) =>
        Assert.Equal(crc, ApiKeyToken.Crc32Utf8(text));

    [Fact]
    public void WriteChecksum_LargestCrc_FitsInSixDigits()
    {
        Span<char> written = stackalloc char[ApiKeyToken.ChecksumLength];
        ApiKeyToken.WriteChecksum(uint.MaxValue, written);
        Assert.Equal(Reference.Base62(uint.MaxValue), written.ToString());
        Assert.Equal("4gfFC3", written.ToString());
    }

    [Theory]
    [InlineData("pk_test")]
    [InlineData("pk_live")]
    [InlineData("a")]
    [InlineData("abcdefghijklmnopqrstuvwx")] // 24 characters, the longest prefix
    [InlineData("z9_")]
    public void Generate_ValidPrefix_HasFormatAndValidChecksum(string prefix)
    {
        var token = ApiKeyToken.Generate(prefix);

        Assert.Equal(prefix.Length + 1 + 32 + 6, token.Length);
        Assert.StartsWith(prefix + "_", token, StringComparison.Ordinal);
        var tail = token[(prefix.Length + 1)..];
        Assert.All(tail, c => Assert.Contains(c, ApiKeyToken.Alphabet));
        Assert.Equal(Reference.Checksum(token[..^6]), token[^6..]);
        Assert.True(ApiKeyToken.TryParse(token, out var parsed));
        Assert.Equal(prefix, parsed.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("Pk_live")]
    [InlineData("1pk")]
    [InlineData("_pk")]
    [InlineData("pk-live")]
    [InlineData("pk live")]
    [InlineData("abcdefghijklmnopqrstuvwxy")] // 25 characters
    [InlineData("pé")]
    public void Generate_InvalidPrefix_Throws(string prefix) =>
        Assert.Throws<ArgumentException>(() => ApiKeyToken.Generate(prefix));

    [Fact]
    public void Generate_100000Tokens_NoDuplicatesAndEveryCharacterAboutEquallyOften()
    {
        const int count = 100_000;
        var seen = new HashSet<string>(count, StringComparer.Ordinal);
        var frequency = new Dictionary<char, int>();
        for (var i = 0; i < count; i++)
        {
            var token = ApiKeyToken.Generate("pk_test");
            Assert.True(seen.Add(token), $"duplicate token after {i} tokens");
            foreach (var c in token.AsSpan(8, ApiKeyToken.RandomLength))
            {
                frequency[c] = frequency.GetValueOrDefault(c) + 1;
            }
        }

        // 3.2 million characters: about 51,600 each with a standard deviation near 225. A 10% band
        // is over 20 deviations wide, so only a biased generator (e.g. byte % 62) falls outside it.
        Assert.Equal(62, frequency.Count);
        const double expected = count * 32.0 / 62;
        Assert.All(frequency, pair => Assert.InRange(pair.Value, expected * 0.9, expected * 1.1));
    }

    [Fact]
    public void TryParse_AnySingleCharacterChanged_Rejects()
    {
        var token = ApiKeyToken.Generate("pk_test");
        Assert.True(ApiKeyToken.TryParse(token, out _));

        var chars = token.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var original = chars[i];
            foreach (var replacement in ApiKeyToken.Alphabet.Append('_'))
            {
                if (replacement == original)
                {
                    continue;
                }

                chars[i] = replacement;
                var changed = new string(chars);
                Assert.False(ApiKeyToken.TryParse(changed, out _), $"accepted '{changed}' (position {i})");
            }

            chars[i] = original;
        }
    }

    [Fact]
    public void TryParse_TwoAdjacentCharactersSwapped_Rejects()
    {
        var token = SampleTokens.Token;
        for (var i = 8; i < token.Length - 1; i++)
        {
            var chars = token.ToCharArray();
            (chars[i], chars[i + 1]) = (chars[i + 1], chars[i]);
            Assert.False(ApiKeyToken.TryParse(new string(chars), out _), $"accepted a swap at {i}");
        }
    }

    public static TheoryData<string, string> MalformedTokens => new()
    {
        { "empty", "" },
        { "space", " " },
        { "whitespace only", "\t\r\n " },
        { "wrong checksum", SampleTokens.Prefix + SampleTokens.Body + "4MGJsd" },
        { "checksum of another token", SampleTokens.Prefix + SampleTokens.Body + "1ofHP0" },
        { "lower-cased checksum", SampleTokens.Prefix + SampleTokens.Body + "4mgjsc" },
        { "no checksum", SampleTokens.Prefix + SampleTokens.Body },
        { "one character short", SampleTokens.Prefix + SampleTokens.Body + "4MGJs" },
        { "one character extra", SampleTokens.Prefix + SampleTokens.Body + "4MGJsc0" },
        { "31 random characters, valid checksum", Reference.Sign("pk_test_" + new string('A', 31)) },
        { "33 random characters, valid checksum", Reference.Sign("pk_test_" + new string('A', 33)) },
        { "no prefix, valid checksum", Reference.Sign("_" + new string('A', 32)) },
        { "no separator, valid checksum", Reference.Sign("pktest" + new string('A', 32)) },
        { "upper-case prefix, valid checksum", Reference.Sign("PK_test_" + new string('A', 32)) },
        { "prefix starts with a digit, valid checksum", Reference.Sign("1pk_" + new string('A', 32)) },
        { "prefix with a hyphen, valid checksum", Reference.Sign("pk-test_" + new string('A', 32)) },
        { "25-character prefix, valid checksum", Reference.Sign(new string('p', 25) + "_" + new string('A', 32)) },
        { "underscore in the random part, valid checksum", Reference.Sign("pk_test_" + new string('A', 31) + "_") },
        { "space in the random part, valid checksum", Reference.Sign("pk_test_" + new string('A', 31) + " ") },
        { "accented letter, valid UTF-8 checksum", Reference.Sign("pk_test_" + new string('A', 31) + "é") },
        { "Cyrillic look-alike, valid UTF-8 checksum", Reference.Sign("pk_test_" + new string('A', 31) + "\u0410") },
        { "full-width digit, valid UTF-8 checksum", Reference.Sign("pk_test_" + new string('A', 31) + "\uFF10") },
        { "emoji, valid UTF-8 checksum", Reference.Sign("pk_test_" + new string('A', 30) + "\U0001F511") },
        { "accented prefix, valid UTF-8 checksum", Reference.Sign("pk_tést_" + new string('A', 32)) },
        { "non-ASCII checksum digit", SampleTokens.Prefix + SampleTokens.Body + "4MGJs\u00E7" },
        { "NUL in the random part", SampleTokens.Prefix + "0123456789ABCDEFGHIJKLMNOPQRS\0UV" + SampleTokens.Checksum },
        { "leading space", " " + SampleTokens.Prefix + SampleTokens.Body + "4MGJsc" },
        { "trailing space", SampleTokens.Prefix + SampleTokens.Body + "4MGJsc " },
        { "trailing newline", SampleTokens.Prefix + SampleTokens.Body + "4MGJsc\n" },
        { "Bearer scheme included", "Bearer " + SampleTokens.Prefix + SampleTokens.Body + "4MGJsc" },
        { "10 KB of letters", new string('a', 10 * 1024) },
        { "valid token padded to 10 KB", SampleTokens.Token + new string('A', 10 * 1024) },
        { "10 KB prefix before a valid tail", new string('a', 10 * 1024) + "_0123456789ABCDEFGHIJKLMNOPQRSTUV4MGJsc" },
    };

    [Theory]
    [MemberData(nameof(MalformedTokens))]
    public void TryParse_MalformedToken_Rejects(string scenario, string token)
    {
        Assert.False(ApiKeyToken.TryParse(token, out var prefix), scenario);
        Assert.True(prefix.IsEmpty);
    }

    [Fact]
    public void MaxLength_LongestPrefixToken_IsAccepted()
    {
        var token = ApiKeyToken.Generate(new string('p', ApiKeyToken.MaxPrefixLength));

        Assert.Equal(ApiKeyToken.MaxLength, token.Length);
        Assert.True(ApiKeyToken.TryParse(token, out _));
    }

    [Theory]
    [InlineData(SampleTokens.Token, "pk_test_0123…GJsc")]
    [InlineData("acme_prod_2024_Zq8mN3pX7vK1wR5tY9bC2dF6gH4jL0sA3Uo4mE", "acme_prod_2024_Zq8m…o4mE")]
    public void Hint_Token_ShowsPrefixFirstFourAfterItAndLastFour(string token, string hint) =>
        Assert.Equal(hint, ApiKeyToken.Hint(token));

    [Fact]
    public void Hint_GeneratedToken_HidesTheMiddle()
    {
        var token = ApiKeyToken.Generate("pk_live");

        var hint = ApiKeyToken.Hint(token);

        // DESIGN.md: prefix + first 4 + "…" + last 4 of the token.
        Assert.Equal($"pk_live_{token[8..12]}…{token[^4..]}", hint);
        Assert.Equal(8 + 4 + 1 + 4, hint.Length);
        Assert.DoesNotContain(token[12..^4], hint, StringComparison.Ordinal);
    }

    [Fact]
    public void IsHintOf_HintOfTheToken_IsTrue()
    {
        var token = ApiKeyToken.Generate("pk_live");

        Assert.True(ApiKeyToken.IsHintOf(ApiKeyToken.Hint(token), token));
        Assert.True(ApiKeyToken.IsHintOf(ApiKeyToken.Hint(SampleTokens.Token), SampleTokens.Token));
    }

    [Fact]
    public void IsHintOf_HintOfAnotherToken_IsFalse()
    {
        var token = ApiKeyToken.Generate("pk_live");
        var other = ApiKeyToken.Generate("pk_live");
        var otherPrefix = ApiKeyToken.Generate("pk_test");

        Assert.Equal(ApiKeyToken.Hint(token) == ApiKeyToken.Hint(other), ApiKeyToken.IsHintOf(ApiKeyToken.Hint(other), token));
        Assert.False(ApiKeyToken.IsHintOf(ApiKeyToken.Hint(otherPrefix), token));
        Assert.False(ApiKeyToken.IsHintOf(ApiKeyToken.Hint(SampleTokens.Token), token));
    }

    /// <summary>The token rules written out again, plainly, bit by bit: no table, no shared code.</summary>
    private static class Reference
    {
        public static string Sign(string signed) => signed + Checksum(signed);

        public static string Checksum(string signed) => Base62(Crc32(Encoding.UTF8.GetBytes(signed)));

        public static string Base62(uint value)
        {
            const string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
            var digits = new StringBuilder();
            for (var i = 0; i < 6; i++)
            {
                digits.Insert(0, alphabet[(int)(value % 62)]);
                value /= 62;
            }

            return digits.ToString();
        }

        private static uint Crc32(byte[] bytes)
        {
            var crc = 0xFFFFFFFFu;
            foreach (var b in bytes)
            {
                crc ^= b;
                for (var bit = 0; bit < 8; bit++)
                {
                    crc = (crc & 1) == 1 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
                }
            }

            return ~crc;
        }
    }
}
