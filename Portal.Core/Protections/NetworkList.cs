using System.Numerics;

namespace Portal.Core.Protections;

/// <summary>
/// A compiled list of IPv4 and IPv6 networks (CIDR), for IP allowlists and deny lists. Immutable,
/// shared between snapshots; <see cref="Contains"/> allocates nothing.
/// </summary>
/// <remarks>
/// Networks are kept as inclusive ranges of numbers, IPv4 apart from IPv6, sorted by their first
/// address. <see cref="Parse"/> refuses overlapping entries, so the ranges are disjoint and one
/// binary search finds the only range that can hold an address. An IPv4 address matches only IPv4
/// networks and an IPv6 one only IPv6 networks: <see cref="ClientAddress"/> has already turned an
/// IPv4-mapped IPv6 address into IPv4, and <see cref="Parse"/> does the same to IPv4-mapped networks,
/// so a network such as <c>::/0</c> covers every IPv6 address but no IPv4 one.
/// </remarks>
public sealed class NetworkList
{
    /// <summary>The most entries one list holds.</summary>
    public const int MaxEntries = 100;

    public static NetworkList Empty { get; } = new();

    private readonly uint[] _v4Starts = [];
    private readonly uint[] _v4Ends = [];
    private readonly UInt128[] _v6Starts = [];
    private readonly UInt128[] _v6Ends = [];

    private NetworkList()
    {
    }

    private NetworkList(IReadOnlyList<CidrNetwork> networks)
    {
        Entries = networks.Select(n => n.ToString()).ToArray();
        var v4 = networks.Where(n => !n.IsV6).OrderBy(n => n.Start).ToArray();
        var v6 = networks.Where(n => n.IsV6).OrderBy(n => n.Start).ToArray();
        _v4Starts = v4.Select(n => (uint)n.Start).ToArray();
        _v4Ends = v4.Select(n => (uint)n.End).ToArray();
        _v6Starts = v6.Select(n => n.Start).ToArray();
        _v6Ends = v6.Select(n => n.End).ToArray();
    }

    /// <summary>The entries in their normal form (<c>203.0.113.0/24</c>, <c>2001:db8::/32</c>), in the order given.</summary>
    public IReadOnlyList<string> Entries { get; private init; } = [];

    public bool IsEmpty => Entries.Count == 0;

    /// <summary>Whether the address is in one of the networks; false for <see cref="ClientAddress.None"/>.</summary>
    public bool Contains(in ClientAddress address)
    {
        if (address.IsV4)
        {
            var value = address.V4;
            var starts = _v4Starts;
            var index = LastAtOrBelow(starts, value);
            return index >= 0 && value <= _v4Ends[index];
        }

        if (address.IsV6)
        {
            var value = address.V6;
            var starts = _v6Starts;
            var index = LastAtOrBelow(starts, value);
            return index >= 0 && value <= _v6Ends[index];
        }

        return false;
    }

    /// <summary>
    /// Parses and normalises entries (host bits cleared, a bare address taken as /32 or /128,
    /// IPv4-mapped IPv6 networks as IPv4, IPv6 written as RFC 5952 says: lower case, zeros compressed).
    /// Surrounding white space is ignored. Adds a message to <paramref name="errors"/> under
    /// <c>{field}[i]</c> for an entry that is empty or no CIDR (an IPv4 address must be four decimal
    /// parts without leading zeros; a zone id such as <c>%eth0</c> is refused), and for one equal to,
    /// inside or containing an earlier one (naming both); and under <paramref name="field"/> for more
    /// than <see cref="MaxEntries"/>, without reading them. Null or no entries give <see cref="Empty"/>;
    /// when messages were added the list holds only the entries that passed, and callers refuse the input.
    /// </summary>
    public static NetworkList Parse(IReadOnlyList<string?>? entries, string field, Dictionary<string, string[]> errors)
    {
        if (entries is null || entries.Count == 0)
        {
            return Empty;
        }

        // Counted before any entry is read: the work below is bounded whatever a request body holds.
        if (entries.Count > MaxEntries)
        {
            errors[field] = [$"A list can have at most {MaxEntries} networks; {entries.Count} were given."];
            return Empty;
        }

        var accepted = new List<CidrNetwork>(entries.Count);
        var indexes = new List<int>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var text = entries[i]?.Trim();
            if (!CidrNetwork.TryParse(text, out var network, out var problem))
            {
                errors[$"{field}[{i}]"] = [problem];
                continue;
            }

            var earlier = accepted.FindIndex(a => a.Overlaps(network));
            if (earlier >= 0)
            {
                errors[$"{field}[{i}]"] = [OverlapMessage(text!, network, accepted[earlier], indexes[earlier])];
                continue;
            }

            accepted.Add(network);
            indexes.Add(i);
        }

        return accepted.Count == 0 ? Empty : new NetworkList(accepted);
    }

    private static string OverlapMessage(string text, CidrNetwork network, CidrNetwork earlier, int earlierIndex)
    {
        var normal = network.ToString();
        var entry = normal == text ? $"'{text}'" : $"'{text}' ({normal})";
        if (network.Start == earlier.Start && network.End == earlier.End && network.IsV6 == earlier.IsV6)
        {
            return $"{entry} is the same network as '{earlier}' (entry {earlierIndex}).";
        }

        return earlier.Covers(network)
            ? $"{entry} is already covered by '{earlier}' (entry {earlierIndex})."
            : $"{entry} contains '{earlier}' (entry {earlierIndex}); keep only one of them.";
    }

    // The index of the last start at or below the value, or -1: with disjoint ranges sorted by start,
    // the only range that can hold the value. A loop of our own rather than Array.BinarySearch keeps
    // the comparisons inlined and generic-comparer-free. Even at 100 entries a linear scan loses:
    // ProtectionListBenchmarks measured 14-23 ns for this search against 56-258 ns for a scan.
    private static int LastAtOrBelow<T>(T[] starts, T value)
        where T : struct, IComparisonOperators<T, T, bool>
    {
        int low = 0, high = starts.Length - 1;
        while (low <= high)
        {
            var middle = (int)((uint)(low + high) >> 1);
            if (starts[middle] <= value)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return high;
    }
}
