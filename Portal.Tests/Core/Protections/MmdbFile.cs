using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Portal.Tests.Core.Protections;

/// <summary>
/// Writes small MaxMind DB files (format 2.0, an IPv6 tree with 24-bit records; IPv4 networks go
/// in the <c>::/96</c> subtree, as MaxMind's own files keep them), so tests can give the database
/// a file whose answers they choose. Networks must not overlap.
/// </summary>
public static class MmdbFile
{
    /// <summary>How a record names its country.</summary>
    public enum Layout
    {
        /// <summary><c>{"country": {"iso_code": "DE"}}</c>, as GeoLite2-Country.</summary>
        GeoLite2,

        /// <summary><c>{"country_code": "DE"}</c>, as the ip-location-db files.</summary>
        IpLocationDb,
    }

    public static void Write(string path, Layout layout, params (string Network, string Country)[] networks)
    {
        var nodes = new List<long[]> { new long[] { Empty, Empty } };
        var data = new MemoryStream();
        foreach (var (network, country) in networks)
        {
            var (bits, prefix) = Bits(network);
            var offset = data.Position;
            WriteRecord(data, layout, country);
            var node = 0;
            for (var i = 0; i < prefix; i++)
            {
                var bit = (int)((bits >> (127 - i)) & 1);
                if (i == prefix - 1)
                {
                    nodes[node][bit] = Data - offset;
                }
                else if (nodes[node][bit] >= 0)
                {
                    node = (int)nodes[node][bit];
                }
                else
                {
                    nodes.Add([Empty, Empty]);
                    nodes[node][bit] = nodes.Count - 1;
                    node = nodes.Count - 1;
                }
            }
        }

        var nodeCount = nodes.Count;
        using var file = File.Create(path);
        foreach (var record in nodes.SelectMany(n => n))
        {
            long value = record == Empty ? nodeCount : record >= 0 ? record : nodeCount + 16 + (Data - record);
            file.Write([(byte)(value >> 16), (byte)(value >> 8), (byte)value]);
        }

        file.Write(new byte[16]);
        data.Position = 0;
        data.CopyTo(file);
        file.Write([0xAB, 0xCD, 0xEF, .. "MaxMind.com"u8]);
        var metadata = new MemoryStream();
        Map(metadata, 9);
        String(metadata, "node_count"); UInt(metadata, 6, (ulong)nodeCount);
        String(metadata, "record_size"); UInt(metadata, 5, 24);
        String(metadata, "ip_version"); UInt(metadata, 5, 6);
        String(metadata, "database_type"); String(metadata, "Test-Country");
        String(metadata, "languages"); metadata.Write([0x00, 11 - 7]);
        String(metadata, "binary_format_major_version"); UInt(metadata, 5, 2);
        String(metadata, "binary_format_minor_version"); UInt(metadata, 5, 0);
        String(metadata, "build_epoch"); Extended(metadata, 9, 1_750_000_000);
        String(metadata, "description"); Map(metadata, 0);
        metadata.Position = 0;
        metadata.CopyTo(file);
    }

    private const long Empty = -1;

    // Data records are kept as Data - offset (≤ -2) until the node count is known.
    private const long Data = -2;

    private static (UInt128 Bits, int Prefix) Bits(string network)
    {
        var slash = network.IndexOf('/');
        var address = IPAddress.Parse(network[..slash]);
        var prefix = int.Parse(network[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var bytes = new byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.GetAddressBytes().CopyTo(bytes, 12);
            prefix += 96;
        }
        else
        {
            address.GetAddressBytes().CopyTo(bytes, 0);
        }

        return (System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes), prefix);
    }

    private static void WriteRecord(Stream data, Layout layout, string country)
    {
        Map(data, 1);
        if (layout == Layout.GeoLite2)
        {
            String(data, "country");
            Map(data, 1);
            String(data, "iso_code");
        }
        else
        {
            String(data, "country_code");
        }

        String(data, country);
    }

    private static void Map(Stream s, int count) => s.WriteByte((byte)(7 << 5 | count));

    private static void String(Stream s, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        s.WriteByte((byte)(2 << 5 | bytes.Length));
        s.Write(bytes);
    }

    private static void UInt(Stream s, int type, ulong value)
    {
        var bytes = Significant(value);
        s.WriteByte((byte)(type << 5 | bytes.Length));
        s.Write(bytes);
    }

    private static void Extended(Stream s, int type, ulong value)
    {
        var bytes = Significant(value);
        s.WriteByte((byte)bytes.Length);
        s.WriteByte((byte)(type - 7));
        s.Write(bytes);
    }

    private static byte[] Significant(ulong value)
    {
        var bytes = BitConverter.GetBytes(value).Reverse().SkipWhile(b => b == 0).ToArray();
        return bytes;
    }
}
