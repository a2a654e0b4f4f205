using Portal.Core.Keys;

using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Keys;

public sealed class KeyHasherTests
{
    private const string Token = SampleTokens.Token;

    private static readonly byte[] PepperOne = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
    private static readonly byte[] PepperTwo = [.. Enumerable.Range(100, 32).Select(i => (byte)i)];

    private static KeyHasher Hasher(int current = 2) =>
        new(new PepperRing(new Dictionary<int, byte[]> { [1] = PepperOne, [2] = PepperTwo }, current));

    [Fact]
    public void Hash_KnownPepperAndToken_IsHmacSha256()
    {
        // python3: hmac.new(bytes(range(32)), token.encode(), hashlib.sha256).hexdigest()
        var hash = Hasher().Hash(Token, 1);

        Assert.Equal("63a949f2141d4b590d5b76f948168b5d8f7f377ffff835ba3c1ae107034d6c09", Convert.ToHexStringLower(hash));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Hash_SameVersionTwice_IsDeterministic(int version)
    {
        var first = Hasher().Hash(Token, version);
        var second = Hasher().Hash(Token, version);

        Assert.Equal(KeyHasher.HashSize, first.Length);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Hash_DifferentVersions_Differ() =>
        Assert.NotEqual(Hasher().Hash(Token, 1), Hasher().Hash(Token, 2));

    [Fact]
    public void Hash_DifferentTokens_Differ() =>
        Assert.NotEqual(Hasher().Hash(Token, 1), Hasher().Hash(ApiKeyToken.Generate("pk_test"), 1));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Hash_WithoutVersion_UsesCurrentVersion(int current)
    {
        var hasher = Hasher(current);

        Assert.Equal(hasher.Hash(Token, current), hasher.Hash(Token));
    }

    [Fact]
    public void Hash_SpanOverload_WritesSameBytesAsArrayOverload()
    {
        var hasher = Hasher();
        var destination = new byte[KeyHasher.HashSize];

        hasher.Hash(Token, 1, destination);

        Assert.Equal(hasher.Hash(Token, 1), destination);
    }

    [Fact]
    public void Hash_UnknownVersion_Throws() =>
        Assert.Throws<KeyNotFoundException>(() => Hasher().Hash(Token, 3));

    [Fact]
    public void Hash_DoesNotContainTheToken()
    {
        var hash = Hasher().Hash(Token, 1);

        Assert.DoesNotContain(Token, System.Text.Encoding.Latin1.GetString(hash), StringComparison.Ordinal);
    }
}
