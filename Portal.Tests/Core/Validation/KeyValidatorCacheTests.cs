using Portal.Core.Keys;
using Portal.Core.Validation;
using Portal.Tests.Auth;

namespace Portal.Tests.Core.Validation;

/// <summary>
/// How often the validator reads its source: once per key while cached, in the background while
/// stale, once per unknown token (then the negative cache), never for malformed input, and again at
/// once after the key changed on this node.
/// </summary>
public sealed class KeyValidatorCacheTests
{
    [Fact]
    public void Validate_CachedKeyWhileFresh_ReadsSourceOnce()
    {
        var rig = new ValidatorRig();
        var (token, _) = rig.AddKey();

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(ReasonCodes.Valid, rig.Validate(token));
        }

        rig.Clock.Advance(rig.Options.CacheFreshFor);
        Assert.Equal(ReasonCodes.Valid, rig.Validate(token, "orders:read"));
        Assert.Equal(ReasonCodes.InsufficientScope, rig.Validate(token, "orders:write"));

        Assert.Equal(1, rig.Source.Lookups);
    }

    [Fact]
    public void Validate_StaleKey_ServesTheCachedAnswerAndRefreshes()
    {
        var rig = new ValidatorRig();
        var (token, snapshot) = rig.AddKey();
        Assert.Equal(ReasonCodes.Valid, rig.Validate(token));
        // Revoked on another node: this node learns it only by reading again.
        rig.ChangeStatus(snapshot, KeyStatus.Revoked);

        rig.Clock.Advance(rig.Options.CacheFreshFor + TimeSpan.FromSeconds(1));

        Assert.Equal(ReasonCodes.Valid, rig.Validate(token));
        Assert.Equal(2, rig.Source.Lookups);
        Assert.Equal(ReasonCodes.Revoked, rig.Validate(token));
        Assert.Equal(ReasonCodes.Revoked, rig.Validate(token));
        Assert.Equal(2, rig.Source.Lookups);
    }

    [Fact]
    public void Validate_PastTheStaleWindow_ReadsSourceBeforeAnswering()
    {
        var rig = new ValidatorRig();
        var (token, snapshot) = rig.AddKey();
        Assert.Equal(ReasonCodes.Valid, rig.Validate(token));
        rig.ChangeStatus(snapshot, KeyStatus.Revoked);

        rig.Clock.Advance(rig.Options.CacheStaleFor + TimeSpan.FromSeconds(1));

        Assert.Equal(ReasonCodes.Revoked, rig.Validate(token));
        Assert.Equal(2, rig.Source.Lookups);
    }

    [Theory]
    [MemberData(nameof(DoorTestKit.MalformedTokenNames), MemberType = typeof(DoorTestKit))]
    public void Validate_MalformedToken_NeverReadsSource(string kind)
    {
        var rig = new ValidatorRig();

        Assert.Equal(ReasonCodes.Malformed, rig.Validate(DoorTestKit.MalformedToken(kind)));
        Assert.Equal(0, rig.Source.Lookups);
        Assert.Equal(0, rig.Cache.UnknownCount);
    }

    [Fact]
    public void Validate_UnknownToken_ReadsSourceOnceThenTheNegativeCacheAnswers()
    {
        var rig = new ValidatorRig();
        var token = DoorTestKit.UnknownToken();

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(ReasonCodes.NotFound, rig.Validate(token));
        }

        Assert.Equal(1, rig.Source.Lookups);
        Assert.Equal(1, rig.Cache.UnknownCount);

        rig.Clock.Advance(rig.Options.NegativeCacheFor + TimeSpan.FromSeconds(1));
        Assert.Equal(ReasonCodes.NotFound, rig.Validate(token));
        Assert.Equal(2, rig.Source.Lookups);
    }

    [Fact]
    public void Validate_UnknownTokenWithTwoPepperVersions_ReadsEachVersionOnce()
    {
        var rig = new ValidatorRig(pepperVersions: 2);
        var token = DoorTestKit.UnknownToken();

        rig.Validate(token);
        rig.Validate(token);

        Assert.Equal(2, rig.Source.Lookups);
        Assert.Equal(1, rig.Source.LookupsOf(rig.HashOf(token, 1)));
        Assert.Equal(1, rig.Source.LookupsOf(rig.HashOf(token, 2)));
    }

    [Fact]
    public void Validate_TenThousandDistinctRandomTokens_AtMostOneLookupEachAndBoundedNegativeCache()
    {
        var rig = new ValidatorRig(new ValidationOptions { MaxNegativeEntries = 1_000 });
        var tokens = Enumerable.Range(0, 10_000).Select(_ => DoorTestKit.UnknownToken()).ToList();
        var largest = 0;

        foreach (var token in tokens)
        {
            Assert.Equal(ReasonCodes.NotFound, rig.Validate(token));
            Assert.Equal(ReasonCodes.NotFound, rig.Validate(token));
            largest = Math.Max(largest, rig.Cache.UnknownCount);
        }

        Assert.Equal(tokens.Count, rig.Source.Lookups);
        Assert.All(tokens, token => Assert.Equal(1, rig.Source.LookupsOf(rig.HashOf(token))));
        Assert.InRange(largest, 1, rig.Options.MaxNegativeEntries);
        Assert.Equal(0, rig.Cache.KnownCount);
    }

    [Fact]
    public void Validate_KeyAddedAfterItsTokenWasUnknown_IsFoundOnceTheNegativeEntryExpires()
    {
        var rig = new ValidatorRig();
        var token = DoorTestKit.UnknownToken();
        Assert.Equal(ReasonCodes.NotFound, rig.Validate(token));

        rig.Source.Put(ValidatorRig.Snapshot(rig.HashOf(token), Guid.NewGuid()));
        rig.Clock.Advance(rig.Options.NegativeCacheFor + TimeSpan.FromSeconds(1));

        Assert.Equal(ReasonCodes.Valid, rig.Validate(token));
        Assert.Equal(0, rig.Cache.UnknownCount);
    }

    [Fact]
    public void Invalidate_KeyChangePublished_NextValidateReadsSourceAtOnce()
    {
        var rig = new ValidatorRig();
        var (token, snapshot) = rig.AddKey();
        Assert.Equal(ReasonCodes.Valid, rig.Validate(token));
        rig.ChangeStatus(snapshot, KeyStatus.Revoked);

        rig.Changes.Publish(new KeyChange(snapshot.KeyId, [snapshot.Hash.ToArray()]));

        Assert.Equal(ReasonCodes.Revoked, rig.Validate(token));
        Assert.Equal(2, rig.Source.Lookups);
    }

    [Fact]
    public void Invalidate_TokenHashedWithAnOlderPepper_DropsItsCacheEntryAtOnce()
    {
        // The token's stored hash is under pepper 1; the cache files it under the current pepper 2.
        // The change names the stored hash, and must still reach the cached entry.
        var rig = new ValidatorRig(pepperVersions: 2);
        var (token, snapshot) = rig.AddKey(pepperVersion: 1);
        Assert.Equal(ReasonCodes.Valid, rig.Validate(token));
        Assert.Equal(ReasonCodes.Valid, rig.Validate(token));
        Assert.Equal(2, rig.Source.Lookups);
        rig.ChangeStatus(snapshot, KeyStatus.Revoked);

        rig.Changes.Publish(new KeyChange(snapshot.KeyId, [snapshot.Hash.ToArray()]));

        Assert.Equal(ReasonCodes.Revoked, rig.Validate(token));
    }

    [Fact]
    public async Task Invalidate_WhileALookupIsInFlight_TheOldAnswerIsNotCached()
    {
        // A request reads the key, the key is revoked and the change published, then the read
        // returns: its (old) snapshot must not be cached over the revocation.
        var rig = new ValidatorRig();
        var (token, snapshot) = rig.AddKey();
        rig.Source.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inFlight = rig.Validator.ValidateAsync(token, default).AsTask();

        rig.ChangeStatus(snapshot, KeyStatus.Revoked);
        rig.Changes.Publish(new KeyChange(snapshot.KeyId, [snapshot.Hash.ToArray()]));
        var gate = rig.Source.Gate;
        rig.Source.Gate = null;
        gate.SetResult();
        await inFlight;

        Assert.Equal(ReasonCodes.Revoked, rig.Validate(token));
    }

    [Fact]
    public void Invalidate_ChangeOfAnotherKey_KeepsThisKeyCached()
    {
        var rig = new ValidatorRig();
        var (token, _) = rig.AddKey();
        var (_, other) = rig.AddKey();
        rig.Validate(token);

        rig.Changes.Publish(new KeyChange(other.KeyId, [other.Hash.ToArray()]));

        rig.Validate(token);
        Assert.Equal(1, rig.Source.Lookups);
    }
}
