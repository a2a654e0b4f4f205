namespace Portal.Core.Protections;

/// <summary>
/// A compiled list of IPv4 and IPv6 networks (CIDR), for IP allowlists and deny lists. Immutable,
/// shared between snapshots; <see cref="Contains"/> allocates nothing.
/// </summary>
public sealed class NetworkList
{
    /// <summary>The most entries one list holds.</summary>
    public const int MaxEntries = 100;

    public static NetworkList Empty { get; } = new();

    private NetworkList()
    {
    }

    /// <summary>The entries in their normal form (<c>203.0.113.0/24</c>, <c>2001:db8::/32</c>), in the order given.</summary>
    public IReadOnlyList<string> Entries { get; private init; } = [];

    public bool IsEmpty => Entries.Count == 0;

    /// <summary>Whether the address is in one of the networks; false for <see cref="ClientAddress.None"/>.</summary>
    public bool Contains(in ClientAddress address) => throw new NotImplementedException();

    /// <summary>
    /// Parses and normalises entries (host bits cleared, a bare address taken as /32 or /128,
    /// IPv4-mapped IPv6 networks as IPv4). Adds a message to <paramref name="errors"/> under
    /// <c>{field}[i]</c> for an entry that is no CIDR, and for one equal to or inside an earlier
    /// one (naming both), and under <paramref name="field"/> for more than <see cref="MaxEntries"/>.
    /// </summary>
    public static NetworkList Parse(IReadOnlyList<string?>? entries, string field, Dictionary<string, string[]> errors) => throw new NotImplementedException();
}
