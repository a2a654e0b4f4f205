using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using MaxMind.Db;

namespace Portal.Core.Protections;

/// <summary>
/// A whole MaxMind-format country database as sorted, non-overlapping address ranges: IPv4 as
/// 32-bit numbers, IPv6 as 128-bit ones, each range with its country. Immutable, so lookups read it
/// without a lock while a reload builds the next one; a lookup is a binary search that allocates
/// nothing. Adjacent ranges of the same country are merged.
/// </summary>
internal sealed class CountryTable
{
    private readonly uint[] _v4Starts;
    private readonly uint[] _v4Ends;
    private readonly ushort[] _v4Countries;
    private readonly UInt128[] _v6Starts;
    private readonly UInt128[] _v6Ends;
    private readonly ushort[] _v6Countries;

    private CountryTable(
        uint[] v4Starts, uint[] v4Ends, ushort[] v4Countries,
        UInt128[] v6Starts, UInt128[] v6Ends, ushort[] v6Countries,
        string databaseType, DateTimeOffset builtAt)
    {
        _v4Starts = v4Starts;
        _v4Ends = v4Ends;
        _v4Countries = v4Countries;
        _v6Starts = v6Starts;
        _v6Ends = v6Ends;
        _v6Countries = v6Countries;
        DatabaseType = databaseType;
        BuiltAt = builtAt;
    }

    public int V4RangeCount => _v4Starts.Length;

    public int V6RangeCount => _v6Starts.Length;

    /// <summary>The file's <c>database_type</c> metadata (e.g. <c>GeoLite2-Country</c>).</summary>
    public string DatabaseType { get; }

    /// <summary>When the file says it was built (its <c>build_epoch</c>).</summary>
    public DateTimeOffset BuiltAt { get; }

    public CountryCode Find(in ClientAddress address)
    {
        if (address.IsV4)
        {
            var v4 = address.V4;
            var i = LastAtOrBelow(_v4Starts, v4);
            return i >= 0 && v4 <= _v4Ends[i] ? new CountryCode(_v4Countries[i]) : CountryCode.None;
        }

        if (address.IsV6)
        {
            var v6 = address.V6;
            var i = LastAtOrBelow(_v6Starts, v6);
            return i >= 0 && v6 <= _v6Ends[i] ? new CountryCode(_v6Countries[i]) : CountryCode.None;
        }

        return CountryCode.None;
    }

    // The index of the last start ≤ value, or -1. Hand-written rather than Array.BinarySearch so
    // that UInt128 compares without going through a comparer.
    private static int LastAtOrBelow<T>(T[] starts, T value) where T : struct, IComparisonOperators<T, T, bool>
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

    /// <summary>
    /// Reads a whole .mmdb file. A record's country is <c>country.iso_code</c> (GeoLite2-Country,
    /// GeoIP2, DB-IP) or a top-level <c>country_code</c> (the ip-location-db files); records with
    /// neither place no address. IPv4 comes from the file's IPv4 subtree (<c>::/96</c> in an IPv6
    /// file, where the reference readers look IPv4 up); only when a file has none there are
    /// IPv4-mapped networks (<c>::ffff:0:0/96</c>) taken instead.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">Not a readable MaxMind-format database, or one without country records.</exception>
    public static CountryTable Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No file at '{path}'.", path);
        }

        try
        {
            // Read whole (not memory-mapped): the file may be replaced while it is read.
            using var reader = new Reader(path, FileAccessMode.Memory);
            return Build(reader);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A damaged file fails in many ways (bad pointers, sizes, types, an unreadable file);
            // each means the same here: this file cannot be used.
            throw new InvalidDataException($"'{path}' is not a readable MaxMind-format (.mmdb) country database: {e.Message}", e);
        }
    }

    private static CountryTable Build(Reader reader)
    {
        var v4 = new List<(uint Start, uint End, ushort Country)>();
        var mapped = new List<(uint Start, uint End, ushort Country)>();
        var v6 = new List<(UInt128 Start, UInt128 End, ushort Country)>();
        Span<byte> bytes = stackalloc byte[16];

        foreach (var node in reader.FindAll<CountryRecord>())
        {
            if (!CountryCode.TryFrom(node.Data?.IsoCode, out var country))
            {
                continue;
            }

            var start = node.Start;
            var prefix = node.PrefixLength;
            if (start.AddressFamily == AddressFamily.InterNetwork)
            {
                start.TryWriteBytes(bytes, out _);
                v4.Add(V4Range(BinaryPrimitives.ReadUInt32BigEndian(bytes), prefix, country));
                continue;
            }

            if (start.AddressFamily != AddressFamily.InterNetworkV6)
            {
                continue;
            }

            start.TryWriteBytes(bytes, out _);
            var value = BinaryPrimitives.ReadUInt128BigEndian(bytes);
            if (prefix >= 96 && value >> 32 == 0)
            {
                // The IPv4 subtree as some readers report it, without turning it into IPv4.
                v4.Add(V4Range((uint)value, prefix - 96, country));
            }
            else if (prefix >= 96 && value >> 32 == 0xFFFF)
            {
                mapped.Add(V4Range((uint)value, prefix - 96, country));
            }
            else
            {
                var mask = prefix == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - prefix);
                v6.Add((value & mask, (value & mask) | ~mask, country.Value));
            }
        }

        if (v4.Count == 0)
        {
            v4 = mapped;
        }

        if (v4.Count == 0 && v6.Count == 0)
        {
            throw new InvalidDataException("it holds no country records (country.iso_code or country_code)");
        }

        var (v4Starts, v4Ends, v4Countries) = Merge(v4, static end => end + 1);
        var (v6Starts, v6Ends, v6Countries) = Merge(v6, static end => end + UInt128.One);
        var metadata = reader.Metadata;
        return new CountryTable(v4Starts, v4Ends, v4Countries, v6Starts, v6Ends, v6Countries,
            metadata.DatabaseType ?? "", new DateTimeOffset(metadata.BuildDate, TimeSpan.Zero));
    }

    private static (uint, uint, ushort) V4Range(uint value, int prefix, CountryCode country)
    {
        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        return (value & mask, (value & mask) | ~mask, country.Value);
    }

    // Sorts by start and joins a range to the one before it when it follows on with the same
    // country. A search tree yields no overlapping networks, so no other case arises.
    private static (T[] Starts, T[] Ends, ushort[] Countries) Merge<T>(List<(T Start, T End, ushort Country)> ranges, Func<T, T> next)
        where T : struct, IComparable<T>, IEquatable<T>, IMinMaxValue<T>
    {
        ranges.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        var starts = new List<T>(ranges.Count);
        var ends = new List<T>(ranges.Count);
        var countries = new List<ushort>(ranges.Count);
        foreach (var (start, end, country) in ranges)
        {
            var last = ends.Count - 1;
            if (last >= 0 && countries[last] == country && !ends[last].Equals(T.MaxValue) && next(ends[last]).Equals(start))
            {
                ends[last] = end;
                continue;
            }

            starts.Add(start);
            ends.Add(end);
            countries.Add(country);
        }

        return (starts.ToArray(), ends.ToArray(), countries.ToArray());
    }
}

/// <summary>The part of a country database record the table reads (see <see cref="CountryTable.Load"/>).</summary>
internal sealed class CountryRecord
{
    [Constructor]
    public CountryRecord([MapKey("country")] CountryRecordCountry? country, [MapKey("country_code")] string? countryCode)
    {
        IsoCode = country?.IsoCode ?? countryCode;
    }

    public string? IsoCode { get; }
}

/// <summary>The <c>country</c> map of a GeoLite2/GeoIP2-style record.</summary>
internal sealed class CountryRecordCountry
{
    [Constructor]
    public CountryRecordCountry([MapKey("iso_code")] string? isoCode)
    {
        IsoCode = isoCode;
    }

    public string? IsoCode { get; }
}
