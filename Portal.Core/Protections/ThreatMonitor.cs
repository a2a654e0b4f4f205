using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Portal.Core.Audit;
using Portal.Core.Validation;

namespace Portal.Core.Protections;

/// <summary>
/// An organization's threat thresholds (its policy; these defaults when it set none).
/// </summary>
/// <param name="FailureLimit">401-class decisions from one address within <paramref name="WindowSeconds"/> that block it.</param>
/// <param name="StuffingLimit">Distinct unknown or malformed tokens from one address within the window that block it.</param>
/// <param name="WindowSeconds">The window both counts are taken over.</param>
/// <param name="BlockSeconds">The first block's length; each repeat within a day doubles it, up to a day.</param>
/// <param name="LeakAddressLimit">Distinct addresses one key is used from within <paramref name="LeakWindowSeconds"/> that raise a leaked-key alert.</param>
/// <param name="LeakCountryLimit">Distinct countries one key is used from within the leak window that raise one.</param>
/// <param name="LeakWindowSeconds">The window of the leaked-key signal.</param>
/// <param name="SuspendSuspiciousKeys">Whether an alert also suspends the key until an admin lifts it.</param>
/// <param name="ReportedLeaks">What a leak report of one of the organization's tokens does to its key (see <see cref="LeakResponse"/>).</param>
public sealed record ThreatPolicy(
    int FailureLimit = 50,
    int StuffingLimit = 20,
    int WindowSeconds = 60,
    int BlockSeconds = 300,
    int LeakAddressLimit = 50,
    int LeakCountryLimit = 3,
    int LeakWindowSeconds = 3600,
    bool SuspendSuspiciousKeys = false,
    LeakResponse ReportedLeaks = LeakResponse.Revoke)
{
    public static ThreatPolicy Default { get; } = new();
}

/// <summary>
/// Watches decisions for attacks and answers whether an address is blocked for an organization.
/// In memory and bounded; blocks and alerts it raises are handed to a background writer (never
/// written on the request path).
/// </summary>
/// <remarks>
/// Bounds (none grows under a flood of random addresses or tokens):
/// <list type="bullet">
/// <item>addresses counted for failures: at most <see cref="MaxTrackedAddresses"/> (organization, address)
/// pairs, in two generations of half that each; when the newer one fills, the older one is dropped, so
/// the longest-unseen addresses are forgotten first. Each holds a fixed window's counts and at most
/// <see cref="MaxStuffingTokens"/> 8-byte token prefixes (exact distinct counting up to the limit).</item>
/// <item>automatic blocks: at most <see cref="MaxBlocks"/> addresses; each is remembered a day after its
/// block (for the doubling); when full, forgotten blocks go first, then expired ones, then the one ending soonest.</item>
/// <item>keys watched for the leaked-key signal: at most <see cref="MaxTrackedKeys"/>, each with at most
/// <see cref="MaxLeakAddresses"/> address fingerprints and a 676-bit country set; keys whose window ended are
/// dropped when the table fills, and past that a new key is not watched until room frees (counted in
/// <c>portal.protection.untracked_keys</c>).</item>
/// <item>events waiting for <see cref="ThreatResponder"/>: at most <see cref="EventCapacity"/>; more are dropped and counted
/// (<see cref="DroppedEvents"/>, metric <c>portal.protection.dropped_events</c>).</item>
/// </list>
/// Thresholds above the stored sizes are clamped to them.
/// </remarks>
public sealed class ThreatMonitor
{
    public const int MaxTrackedAddresses = 100_000;
    public const int MaxBlocks = 100_000;
    public const int MaxTrackedKeys = 100_000;
    public const int MaxStuffingTokens = 1_000;
    public const int MaxLeakAddresses = 1_000;
    public const int EventCapacity = 10_000;

    /// <summary>The longest block, and how long a block counts for doubling the next.</summary>
    public static readonly TimeSpan MaxBlock = TimeSpan.FromDays(1);

    private readonly object _trackerLock = new();
    private Dictionary<BlockKey, AddressTracker> _current = [];
    private Dictionary<BlockKey, AddressTracker> _previous = [];

    private readonly ConcurrentDictionary<BlockKey, BlockState> _blocks = new();
    private readonly object _blocksLock = new();

    // Stored blocks (manual and automatic, any network) per organization; replaced whole on change, read without a lock.
    private volatile FrozenDictionary<Guid, StoredNetwork[]> _stored = FrozenDictionary<Guid, StoredNetwork[]>.Empty;

    private readonly ConcurrentDictionary<Guid, KeyUse> _keys = new();
    private readonly object _keysLock = new();

    private readonly Channel<ThreatEvent> _events = Channel.CreateBounded<ThreatEvent>(
        new BoundedChannelOptions(EventCapacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    private readonly Counter<long> _blocked;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _untrackedKeys;
    private long _droppedEvents;

    public ThreatMonitor(IMeterFactory meters)
    {
        var meter = meters.Create(AuthenticationLog.MeterName);
        _blocked = meter.CreateCounter<long>("portal.protection.blocks", description: "Addresses blocked, by reason (failure_burst, credential_stuffing, manual).");
        _dropped = meter.CreateCounter<long>("portal.protection.dropped_events", description: "Threat events dropped because the responder's queue was full.");
        _untrackedKeys = meter.CreateCounter<long>("portal.protection.untracked_keys", description: "Key uses not watched for the leaked-key signal because the table was full.");
    }

    /// <summary>Blocks and alerts for <see cref="ThreatResponder"/> to store, in the order raised.</summary>
    public ChannelReader<ThreatEvent> Events => _events.Reader;

    /// <summary>Events dropped since start because the queue was full.</summary>
    public long DroppedEvents => Interlocked.Read(ref _droppedEvents);

    /// <summary>Addresses (organization, address) whose failures are being counted now.</summary>
    public int TrackedAddresses
    {
        get
        {
            lock (_trackerLock)
            {
                return _current.Count + _previous.Count;
            }
        }
    }

    /// <summary>Addresses blocked automatically, or remembered for doubling, now.</summary>
    public int AutomaticBlocks => _blocks.Count;

    /// <summary>Keys watched for the leaked-key signal now.</summary>
    public int TrackedKeys => _keys.Count;

    /// <summary>Whether the address is blocked (automatically or by an admin) for the organization's APIs now.</summary>
    public bool IsBlocked(Guid organizationId, in ClientAddress address, DateTimeOffset now)
    {
        if (!address.IsKnown)
        {
            return false;
        }

        var ticks = now.UtcTicks;
        // TryGetValue takes no lock (IsEmpty would take them all when the table is empty).
        if (_blocks.TryGetValue(new BlockKey(organizationId, address), out var state) && state.UntilTicks > ticks)
        {
            return true;
        }

        var stored = _stored;
        if (stored.Count == 0 || !stored.TryGetValue(organizationId, out var networks))
        {
            return false;
        }

        foreach (ref readonly var network in networks.AsSpan())
        {
            if (network.UntilTicks > ticks && network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Counts a 401-class decision (<see cref="ReasonCodes.StatusOf"/> 401) from the address at
    /// the organization's door; <paramref name="token"/> is the token's hash (default when there was
    /// no parsable token) for the credential-stuffing count. Raises a block when a threshold is reached.
    /// </summary>
    public void ObserveRefusal(Guid organizationId, in ClientAddress address, string code, in HashKey token, ThreatPolicy policy, DateTimeOffset now)
    {
        if (!address.IsKnown)
        {
            return;
        }

        var key = new BlockKey(organizationId, address);
        var ticks = now.UtcTicks;
        var window = TimeSpan.FromSeconds(Math.Max(1, policy.WindowSeconds)).Ticks;
        var stuffingLimit = Math.Clamp(policy.StuffingLimit, 1, MaxStuffingTokens);
        BlockReason? reason = null;
        string? cause = null;
        lock (_trackerLock)
        {
            var tracker = Track(key);
            if (ticks - tracker.WindowStartTicks >= window || ticks < tracker.WindowStartTicks)
            {
                tracker.Reset(ticks);
            }

            tracker.Count++;
            tracker.CountCode(code);
            var stuffing = code is ReasonCodes.NotFound or ReasonCodes.Malformed && !token.Equals(default);
            if (stuffing)
            {
                tracker.AddToken(Prefix(token), stuffingLimit);
            }

            if (tracker.Count >= Math.Max(1, policy.FailureLimit))
            {
                reason = BlockReason.FailureBurst;
                cause = $"{tracker.Count} refusals ({tracker.Codes()}) in {policy.WindowSeconds} s";
            }
            else if (tracker.TokenCount >= stuffingLimit)
            {
                reason = BlockReason.CredentialStuffing;
                cause = $"{tracker.TokenCount} distinct unknown or malformed tokens among {tracker.Count} refusals ({tracker.Codes()}) in {policy.WindowSeconds} s";
            }

            if (reason is not null)
            {
                // The address starts afresh after its block.
                tracker.Reset(ticks);
            }
        }

        if (reason is { } r)
        {
            Block(key, r, cause!, policy, now);
        }
    }

    /// <summary>
    /// Counts a use of a known key from the address and country, for the leaked-key signal; a use
    /// from a country the organization denies raises it at once.
    /// </summary>
    public void ObserveUse(KeySnapshot key, in ClientAddress address, CountryCode country, bool countryDeniedByOrganization, ThreatPolicy policy, DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        var stamp = Stamp(address, country);
        if (_keys.TryGetValue(key.KeyId, out var use)
            && Volatile.Read(ref use.LastStamp) == stamp
            && ticks < Volatile.Read(ref use.WindowEndTicks)
            && !countryDeniedByOrganization)
        {
            // The common case: the same key from the same address as its last use, nothing new to count.
            return;
        }

        ObserveNewUse(key, address, country, stamp, countryDeniedByOrganization, policy, now);
    }

    private void ObserveNewUse(KeySnapshot key, in ClientAddress address, CountryCode country, long stamp, bool denied, ThreatPolicy policy, DateTimeOffset now)
    {
        if (!_keys.TryGetValue(key.KeyId, out var use))
        {
            lock (_keysLock)
            {
                if (!_keys.TryGetValue(key.KeyId, out use))
                {
                    if (_keys.Count >= MaxTrackedKeys)
                    {
                        SweepKeys(now.UtcTicks);
                    }

                    if (_keys.Count >= MaxTrackedKeys)
                    {
                        _untrackedKeys.Add(1);
                        return;
                    }

                    use = new KeyUse();
                    _keys[key.KeyId] = use;
                }
            }
        }

        var ticks = now.UtcTicks;
        var addressLimit = Math.Clamp(policy.LeakAddressLimit, 1, MaxLeakAddresses);
        var countryLimit = Math.Clamp(policy.LeakCountryLimit, 1, CountryCode.Space);
        string? cause = null;
        int addresses;
        string[] countries;
        lock (use)
        {
            if (ticks >= use.WindowEndTicks || ticks < use.WindowStartTicks)
            {
                use.Reset(ticks, TimeSpan.FromSeconds(Math.Max(1, policy.LeakWindowSeconds)).Ticks);
            }

            if (address.IsKnown)
            {
                use.AddAddress(Fingerprint(address), addressLimit);
            }

            if (country.IsKnown)
            {
                use.AddCountry(country);
            }

            Volatile.Write(ref use.LastStamp, stamp);
            if (use.Alerted)
            {
                return;
            }

            if (denied)
            {
                cause = $"used from {country}, a country the organization denies";
            }
            else if (use.AddressCount >= addressLimit)
            {
                cause = $"used from {use.AddressCount} addresses within {policy.LeakWindowSeconds} s";
            }
            else if (use.CountryCount >= countryLimit)
            {
                cause = $"used from {use.CountryCount} countries within {policy.LeakWindowSeconds} s";
            }

            if (cause is null)
            {
                return;
            }

            use.Alerted = true;
            addresses = use.AddressCount;
            countries = use.CountryNames();
        }

        Publish(new KeySuspiciousEvent(key.OrganizationId, key.KeyId, key.OwnerId, key.Name, cause, addresses, countries, policy.SuspendSuspiciousKeys, now));
    }

    /// <summary>
    /// Replaces the stored blocks this node enforces (manual ones, and automatic ones read back
    /// after a restart or from another node) with <paramref name="blocks"/>; called by
    /// <see cref="AddressBlocks"/> at start and after each change.
    /// </summary>
    public void LoadStoredBlocks(IEnumerable<StoredBlock> blocks)
    {
        var byOrganization = new Dictionary<Guid, List<StoredNetwork>>();
        foreach (var block in blocks)
        {
            if (!StoredNetwork.TryParse(block.Network, block.ExpiresAt, out var network))
            {
                continue;
            }

            if (!byOrganization.TryGetValue(block.OrganizationId, out var list))
            {
                byOrganization.Add(block.OrganizationId, list = []);
            }

            list.Add(network);
        }

        _stored = byOrganization.ToFrozenDictionary(p => p.Key, p => p.Value.ToArray());
    }

    /// <summary>
    /// Ends this node's automatic block of the address (an admin lifted it); the strike stays, so a
    /// new block within the day is still doubled.
    /// </summary>
    public void Unblock(Guid organizationId, in ClientAddress address)
    {
        var key = new BlockKey(organizationId, address);
        lock (_blocksLock)
        {
            if (_blocks.TryGetValue(key, out var state))
            {
                _blocks[key] = state with { UntilTicks = 0 };
            }
        }
    }

    /// <summary>Counts an admin's manual block in <c>portal.protection.blocks</c>.</summary>
    public void CountManualBlock() => _blocked.Add(1, new KeyValuePair<string, object?>("reason", ReasonTag(BlockReason.Manual)));

    private void Block(BlockKey key, BlockReason reason, string cause, ThreatPolicy policy, DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        int strike;
        long until;
        lock (_blocksLock)
        {
            var previous = _blocks.TryGetValue(key, out var state) && ticks - state.BlockedAtTicks < MaxBlock.Ticks ? state.Strike : 0;
            strike = previous + 1;
            var seconds = Math.Min(MaxBlock.TotalSeconds, Math.Max(1, policy.BlockSeconds) * Math.Pow(2, Math.Min(strike - 1, 30)));
            until = ticks + TimeSpan.FromSeconds(seconds).Ticks;
            if (state.Strike == 0 && _blocks.Count >= MaxBlocks)
            {
                MakeRoomForBlock(ticks);
            }

            _blocks[key] = new BlockState(until, ticks, strike);
        }

        _blocked.Add(1, new KeyValuePair<string, object?>("reason", ReasonTag(reason)));
        Publish(new AddressBlockedEvent(key.OrganizationId, key.Address, reason, cause, strike, now, new DateTimeOffset(until, TimeSpan.Zero)));
    }

    private void MakeRoomForBlock(long ticks)
    {
        foreach (var (key, state) in _blocks)
        {
            if (ticks - state.BlockedAtTicks >= MaxBlock.Ticks)
            {
                _blocks.TryRemove(key, out _);
            }
        }

        if (_blocks.Count < MaxBlocks)
        {
            return;
        }

        foreach (var (key, state) in _blocks)
        {
            if (state.UntilTicks <= ticks)
            {
                _blocks.TryRemove(key, out _);
            }
        }

        if (_blocks.Count < MaxBlocks)
        {
            return;
        }

        var soonest = _blocks.MinBy(p => p.Value.UntilTicks);
        _blocks.TryRemove(soonest.Key, out _);
    }

    private void SweepKeys(long ticks)
    {
        foreach (var (id, use) in _keys)
        {
            if (Volatile.Read(ref use.WindowEndTicks) <= ticks)
            {
                _keys.TryRemove(id, out _);
            }
        }
    }

    private AddressTracker Track(BlockKey key)
    {
        ref var tracker = ref CollectionsMarshal.GetValueRefOrNullRef(_current, key);
        if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref tracker))
        {
            return tracker;
        }

        if (_previous.Remove(key, out var older))
        {
            AddCurrent(key, older);
            return older;
        }

        var fresh = new AddressTracker();
        AddCurrent(key, fresh);
        return fresh;
    }

    private void AddCurrent(BlockKey key, AddressTracker tracker)
    {
        if (_current.Count >= MaxTrackedAddresses / 2)
        {
            // The older generation holds the addresses unseen the longest: forget them.
            _previous = _current;
            _current = [];
        }

        _current.Add(key, tracker);
    }

    private void Publish(ThreatEvent threat)
    {
        if (!_events.Writer.TryWrite(threat))
        {
            Interlocked.Increment(ref _droppedEvents);
            _dropped.Add(1);
        }
    }

    private static string ReasonTag(BlockReason reason) => reason switch
    {
        BlockReason.FailureBurst => "failure_burst",
        BlockReason.CredentialStuffing => "credential_stuffing",
        _ => "manual",
    };

    // The first 8 bytes of an HMAC: collisions among a few hundred tokens are vanishingly unlikely.
    private static ulong Prefix(in HashKey token) => MemoryMarshal.Read<ulong>(MemoryMarshal.AsBytes(new ReadOnlySpan<HashKey>(in token)));

    private static ulong Fingerprint(in ClientAddress address)
    {
        var value = address.IsV4 ? address.V4 : address.V6;
        var mixed = (ulong)value ^ (ulong)(value >> 64) * 0x9E3779B97F4A7C15UL;
        return (mixed ^ (mixed >> 29)) * 0xBF58476D1CE4E5B9UL ^ (address.IsV4 ? 4UL : 6UL);
    }

    // Address and country in one number, so the hot path compares one atomic read; 0 means "none yet".
    private static long Stamp(in ClientAddress address, CountryCode country) =>
        (long)(Fingerprint(address) ^ ((ulong)country.Value << 48)) | 1;

    private readonly record struct BlockKey(Guid OrganizationId, ClientAddress Address);

    private readonly record struct BlockState(long UntilTicks, long BlockedAtTicks, int Strike);

    /// <summary>The failures of one address in its current window.</summary>
    private sealed class AddressTracker
    {
        private static readonly string[] CountedCodes = [ReasonCodes.NotFound, ReasonCodes.Malformed, ReasonCodes.Missing, ReasonCodes.Expired, ReasonCodes.Revoked, ReasonCodes.Disabled];
        private readonly int[] _codes = new int[CountedCodes.Length + 1];
        private ulong[]? _tokens;

        public long WindowStartTicks;
        public int Count;
        public int TokenCount;

        public void Reset(long ticks)
        {
            WindowStartTicks = ticks;
            Count = 0;
            TokenCount = 0;
            Array.Clear(_codes);
        }

        public void CountCode(string code)
        {
            var i = Array.IndexOf(CountedCodes, code);
            _codes[i < 0 ? CountedCodes.Length : i]++;
        }

        /// <summary>Remembers the token's prefix unless seen in this window; stops at the limit (exact up to it).</summary>
        public void AddToken(ulong prefix, int limit)
        {
            if (TokenCount >= limit)
            {
                return;
            }

            if (_tokens is null || _tokens.Length < limit)
            {
                var grown = new ulong[Math.Min(limit, Math.Max(8, (_tokens?.Length ?? 0) * 2))];
                _tokens?.AsSpan(0, TokenCount).CopyTo(grown);
                _tokens = grown;
            }

            if (_tokens.AsSpan(0, TokenCount).Contains(prefix))
            {
                return;
            }

            _tokens[TokenCount++] = prefix;
        }

        /// <summary>The codes counted, most frequent first: <c>NOT_FOUND ×41, MALFORMED ×9</c>.</summary>
        public string Codes()
        {
            var parts = new List<(string Code, int Count)>();
            for (var i = 0; i < _codes.Length; i++)
            {
                if (_codes[i] > 0)
                {
                    parts.Add((i < CountedCodes.Length ? CountedCodes[i] : "other", _codes[i]));
                }
            }

            return string.Join(", ", parts.OrderByDescending(p => p.Count).Select(p => $"{p.Code} ×{p.Count}"));
        }
    }

    /// <summary>The uses of one key in its current leak window.</summary>
    private sealed class KeyUse
    {
        private readonly ulong[] _countries = new ulong[(CountryCode.Space + 63) / 64];
        private ulong[] _addresses = new ulong[4];

        public long WindowStartTicks;
        public long WindowEndTicks;
        public long LastStamp;
        public int AddressCount;
        public int CountryCount;
        public bool Alerted;

        public void Reset(long ticks, long window)
        {
            WindowStartTicks = ticks;
            Volatile.Write(ref WindowEndTicks, ticks + window);
            AddressCount = 0;
            CountryCount = 0;
            Alerted = false;
            Array.Clear(_countries);
        }

        public void AddAddress(ulong fingerprint, int limit)
        {
            if (AddressCount >= limit || _addresses.AsSpan(0, AddressCount).Contains(fingerprint))
            {
                return;
            }

            if (AddressCount == _addresses.Length)
            {
                Array.Resize(ref _addresses, Math.Min(limit, _addresses.Length * 2));
            }

            _addresses[AddressCount++] = fingerprint;
        }

        public void AddCountry(CountryCode country)
        {
            ref var word = ref _countries[country.Value >> 6];
            var bit = 1UL << (country.Value & 63);
            if ((word & bit) == 0)
            {
                word |= bit;
                CountryCount++;
            }
        }

        public string[] CountryNames()
        {
            var names = new List<string>();
            for (var i = 0; i < CountryCode.Space; i++)
            {
                if ((_countries[i >> 6] & (1UL << (i & 63))) != 0)
                {
                    names.Add(new CountryCode((ushort)i).ToString());
                }
            }

            return [.. names];
        }
    }
}

/// <summary>A stored block as the monitor enforces it: the organization, the network (CIDR text) and its end (null: until lifted).</summary>
public readonly record struct StoredBlock(Guid OrganizationId, string Network, DateTimeOffset? ExpiresAt);

/// <summary>One stored network, compiled for comparison without allocation.</summary>
internal readonly struct StoredNetwork
{
    private readonly UInt128 _prefix;
    private readonly UInt128 _mask;
    private readonly bool _v4;

    private StoredNetwork(UInt128 prefix, UInt128 mask, bool v4, long untilTicks)
    {
        _prefix = prefix;
        _mask = mask;
        _v4 = v4;
        UntilTicks = untilTicks;
    }

    public long UntilTicks { get; }

    public bool Contains(in ClientAddress address) =>
        _v4 ? address.IsV4 && ((UInt128)address.V4 & _mask) == _prefix : address.IsV6 && (address.V6 & _mask) == _prefix;

    /// <summary>Reads a CIDR (or a bare address) as written by <see cref="AddressBlocks"/>.</summary>
    public static bool TryParse(string text, DateTimeOffset? expiresAt, out StoredNetwork network)
    {
        network = default;
        if (!System.Net.IPNetwork.TryParse(text.Contains('/') ? text : text + (text.Contains(':') ? "/128" : "/32"), out var parsed))
        {
            return false;
        }

        var start = ClientAddress.From(parsed.BaseAddress);
        var until = expiresAt?.UtcTicks ?? long.MaxValue;
        if (start.IsV4)
        {
            var bits = parsed.BaseAddress.IsIPv4MappedToIPv6 ? Math.Max(0, parsed.PrefixLength - 96) : parsed.PrefixLength;
            var mask = bits == 0 ? 0u : uint.MaxValue << (32 - bits);
            network = new StoredNetwork(start.V4 & mask, mask, true, until);
            return true;
        }

        var mask6 = parsed.PrefixLength == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - parsed.PrefixLength);
        network = new StoredNetwork(start.V6 & mask6, mask6, false, until);
        return true;
    }
}
