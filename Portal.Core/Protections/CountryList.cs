namespace Portal.Core.Protections;

/// <summary>
/// Compiled country rules (<see cref="CountryRules"/>): an allow set and a deny set of ISO 3166-1
/// alpha-2 codes as bit sets. <see cref="Allows"/> allocates nothing.
/// </summary>
public sealed class CountryList
{
    /// <summary>The most codes in one allow or deny list.</summary>
    public const int MaxEntries = 250;

    public static CountryList Empty { get; } = new();

    private CountryList()
    {
    }

    public bool IsEmpty => throw new NotImplementedException();

    /// <summary>The allow list's codes, upper case, sorted.</summary>
    public IReadOnlyList<string> Allow => throw new NotImplementedException();

    /// <summary>The deny list's codes, upper case, sorted.</summary>
    public IReadOnlyList<string> Deny => throw new NotImplementedException();

    /// <summary>
    /// Whether a request from <paramref name="country"/> passes: in the allow list when there is
    /// one (an unknown country does not pass an allow list), and not in the deny list.
    /// </summary>
    public bool Allows(CountryCode country) => throw new NotImplementedException();

    /// <summary>Whether <paramref name="country"/> is in the deny list.</summary>
    public bool Denies(CountryCode country) => throw new NotImplementedException();

    /// <summary>Whether the code is an officially assigned ISO 3166-1 alpha-2 code.</summary>
    public static bool IsAssigned(CountryCode country) => throw new NotImplementedException();

    /// <summary>
    /// Parses rules; a code that is not an assigned ISO 3166-1 alpha-2 code (either case accepted,
    /// stored upper case) gets a message under <c>{field}.allow[i]</c> / <c>{field}.deny[i]</c>, as
    /// does a code given twice or in both lists.
    /// </summary>
    public static CountryList Parse(CountryRules? rules, string field, Dictionary<string, string[]> errors) => throw new NotImplementedException();
}
