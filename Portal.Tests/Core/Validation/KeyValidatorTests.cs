using Portal.Core.Access;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Keys;
using Portal.Core.Validation;

using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Validation;

public sealed class KeyValidatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Now);
    private readonly KeyHasher _hasher = new(new PepperRing(
        new Dictionary<int, byte[]> { [1] = new byte[32], [2] = Enumerable.Repeat((byte)2, 32).ToArray() },
        currentVersion: 2));
    private readonly FakeSnapshots _snapshots = new();

    private KeyValidator Validator => new(_hasher, _snapshots, new KeySnapshotCache(Options.Create(new ValidationOptions()), new KeyChangeFeed()), _clock);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task Validate_NoToken_ReturnsMissingWithoutLookup(string? token)
    {
        var result = await Validator.ValidateAsync(token, default);

        Assert.Equal(ReasonCodes.Missing, result.Code);
        Assert.Null(result.Key);
        Assert.Equal(0, _snapshots.Lookups);
    }

    [Fact]
    public async Task Validate_NoTokenButAnUnreadableCredential_ReturnsMalformed()
    {
        // Two credentials, or another scheme than Bearer: the door has no token, and the client did send something.
        var result = await Validator.ValidateAsync(null, new RequestContext(CredentialUnreadable: true));

        Assert.Equal(ReasonCodes.Malformed, result.Code);
        Assert.Equal(0, _snapshots.Lookups);
    }

    [Theory]
    [InlineData("   ")]
    [InlineData("not a key")]
    [InlineData(SampleTokens.Prefix + SampleTokens.Body + "4MGJsd")] // last checksum character changed
    [InlineData(SampleTokens.Prefix + SampleTokens.Body + "4MGJs")]
    public async Task Validate_MalformedToken_ReturnsMalformedWithoutLookup(string? token)
    {
        var result = await Validator.ValidateAsync(token, default);

        Assert.Equal(ReasonCodes.Malformed, result.Code);
        Assert.False(result.IsValid);
        Assert.Null(result.Key);
        Assert.Equal(0, _snapshots.Lookups);
    }

    [Fact]
    public async Task Validate_TenKilobytes_ReturnsMalformedWithoutLookup()
    {
        var result = await Validator.ValidateAsync(new string('k', 10 * 1024), default);

        Assert.Equal(ReasonCodes.Malformed, result.Code);
        Assert.Equal(0, _snapshots.Lookups);
    }

    [Fact]
    public async Task Validate_UnknownToken_ReturnsNotFoundAfterTryingEveryPepper()
    {
        var result = await Validator.ValidateAsync(ApiKeyToken.Generate("pk_test"), default);

        Assert.Equal(ReasonCodes.NotFound, result.Code);
        Assert.Null(result.Key);
        Assert.Equal(2, _snapshots.Lookups);
    }

    [Fact]
    public async Task Validate_ActiveKey_ReturnsValidWithSnapshot()
    {
        var token = ApiKeyToken.Generate("pk_test");
        var key = _snapshots.Add(_hasher, token);

        var result = await Validator.ValidateAsync(token, default);

        Assert.Equal(ReasonCodes.Valid, result.Code);
        Assert.True(result.IsValid);
        Assert.Same(key, result.Key);
    }

    [Fact]
    public async Task Validate_TokenHashedWithOlderPepper_IsStillFound()
    {
        var token = ApiKeyToken.Generate("pk_test");
        _snapshots.Add(_hasher, token, pepperVersion: 1);

        var result = await Validator.ValidateAsync(token, default);

        Assert.Equal(ReasonCodes.Valid, result.Code);
    }

    public static TheoryData<string, KeyStatus, TimeSpan?, TimeSpan?, string?, string[], string> Decisions => new()
    {
        // scenario, status, expires in, token retires in, required scope, granted scopes, code
        { "active, no expiry", KeyStatus.Active, null, null, null, [], ReasonCodes.Valid },
        { "active, expires later", KeyStatus.Active, TimeSpan.FromTicks(1), null, null, [], ReasonCodes.Valid },
        { "expiry reached this instant", KeyStatus.Active, TimeSpan.Zero, null, null, [], ReasonCodes.Expired },
        { "expiry passed", KeyStatus.Active, TimeSpan.FromDays(-1), null, null, [], ReasonCodes.Expired },
        { "status expired", KeyStatus.Expired, null, null, null, [], ReasonCodes.Expired },
        { "revoked", KeyStatus.Revoked, null, null, null, [], ReasonCodes.Revoked },
        { "revoked and expired", KeyStatus.Revoked, TimeSpan.FromDays(-1), null, null, [], ReasonCodes.Revoked },
        { "revoked, lacking scope", KeyStatus.Revoked, null, null, "orders:read", [], ReasonCodes.Revoked },
        { "disabled", KeyStatus.Disabled, null, null, null, [], ReasonCodes.Disabled },
        { "rotated out, in grace", KeyStatus.Active, null, TimeSpan.FromMinutes(1), null, [], ReasonCodes.Valid },
        { "rotated out, grace ends this instant", KeyStatus.Active, null, TimeSpan.Zero, null, [], ReasonCodes.Expired },
        { "rotated out, past grace", KeyStatus.Active, null, TimeSpan.FromSeconds(-1), null, [], ReasonCodes.Expired },
        { "rotated out, past grace, lacking scope", KeyStatus.Active, null, TimeSpan.FromSeconds(-1), "orders:read", [], ReasonCodes.Expired },
        { "scope held", KeyStatus.Active, null, null, "orders:read", ["invoices:read", "orders:read"], ReasonCodes.Valid },
        { "scope held by wildcard", KeyStatus.Active, null, null, "orders:read", ["orders:*"], ReasonCodes.Valid },
        { "scope missing", KeyStatus.Active, null, null, "orders:write", ["orders:read"], ReasonCodes.InsufficientScope },
        { "no scopes at all", KeyStatus.Active, null, null, "orders:read", [], ReasonCodes.InsufficientScope },
        { "expired, lacking scope", KeyStatus.Active, TimeSpan.FromDays(-1), null, "orders:write", [], ReasonCodes.Expired },
    };

    [Theory]
    [MemberData(nameof(Decisions))]
    public async Task Validate_KeyState_ReturnsReasonCode(
        string scenario, KeyStatus status, TimeSpan? expiresIn, TimeSpan? retiresIn, string? requiredScope, string[] scopes, string code)
    {
        var token = ApiKeyToken.Generate("pk_live");
        var key = _snapshots.Add(_hasher, token, status: status, expiresAt: Now + expiresIn, retiresAt: Now + retiresIn, scopes: scopes);

        var result = await Validator.ValidateAsync(token, new RequestContext(requiredScope));

        Assert.True(code == result.Code, $"{scenario}: expected {code}, got {result.Code}");
        Assert.Equal(code == ReasonCodes.Valid, result.IsValid);
        Assert.Same(key, result.Key);
    }

    [Fact]
    public async Task Validate_ClockMovesPastExpiry_TurnsValidIntoExpired()
    {
        var token = ApiKeyToken.Generate("pk_test");
        _snapshots.Add(_hasher, token, expiresAt: Now.AddHours(1));

        Assert.Equal(ReasonCodes.Valid, (await Validator.ValidateAsync(token, default)).Code);
        _clock.Advance(TimeSpan.FromHours(1) - TimeSpan.FromTicks(1));
        Assert.Equal(ReasonCodes.Valid, (await Validator.ValidateAsync(token, default)).Code);
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(ReasonCodes.Expired, (await Validator.ValidateAsync(token, default)).Code);
    }

    [Fact]
    public void ReasonCodes_AreTheStableStringsOfTheApi()
    {
        Assert.Equal("VALID", ReasonCodes.Valid);
        Assert.Equal("MALFORMED", ReasonCodes.Malformed);
        Assert.Equal("NOT_FOUND", ReasonCodes.NotFound);
        Assert.Equal("EXPIRED", ReasonCodes.Expired);
        Assert.Equal("REVOKED", ReasonCodes.Revoked);
        Assert.Equal("DISABLED", ReasonCodes.Disabled);
        Assert.Equal("INSUFFICIENT_SCOPE", ReasonCodes.InsufficientScope);
    }

    private static KeySnapshot Snapshot(
        KeyStatus status = KeyStatus.Active,
        DateTimeOffset? expiresAt = null,
        DateTimeOffset? retiresAt = null,
        string[]? scopes = null) => new()
    {
        KeyId = Guid.NewGuid(),
        OrganizationId = Guid.NewGuid(),
        OwnerId = Guid.NewGuid(),
        Name = "test key",
        Environment = KeyEnvironment.Test,
        Status = status,
        ExpiresAt = expiresAt,
        TokenRetiresAt = retiresAt,
        Access = AccessCompiler.FromScopes(scopes ?? []),
    };

    /// <summary>An in-memory store of snapshots by hash that counts its lookups.</summary>
    private sealed class FakeSnapshots : IKeySnapshotSource
    {
        private readonly Dictionary<HashKey, KeySnapshot> _byHash = [];

        public int Lookups { get; private set; }

        public KeySnapshot Add(
            KeyHasher hasher,
            string token,
            int? pepperVersion = null,
            KeyStatus status = KeyStatus.Active,
            DateTimeOffset? expiresAt = null,
            DateTimeOffset? retiresAt = null,
            string[]? scopes = null)
        {
            var hash = hasher.Hash(token, pepperVersion ?? hasher.Peppers.CurrentVersion);
            var snapshot = Snapshot(status, expiresAt, retiresAt, scopes);
            _byHash[new HashKey(hash)] = snapshot;
            return snapshot;
        }

        public ValueTask<KeySnapshot?> FindAsync(HashKey hash, CancellationToken cancellationToken)
        {
            Lookups++;
            return ValueTask.FromResult(_byHash.GetValueOrDefault(hash));
        }
    }
}
