namespace Portal.Core.Signatures;

/// <summary>
/// Remembers the signature nonces a key has used, so a signed request cannot be replayed while its
/// signature is still fresh (RFC 9421 section 7.2.2: a verifier that needs replay protection keeps
/// the nonces it has seen for as long as a signature is accepted). One interface, so a shared store
/// can replace the in-memory one when several nodes answer for the same keys.
/// </summary>
/// <remarks>
/// <b>Fail closed.</b> A store that cannot remember a nonce (its share for the key, or the whole
/// store, is full of unexpired ones) refuses it instead of forgetting an older one: forgetting would
/// let that older signed request be replayed. The price is availability: while full, fresh signed
/// requests are refused (<see cref="NonceUse.KeyShareFull"/> only for the key that filled its share,
/// <see cref="NonceUse.StoreFull"/> for every key).
/// </remarks>
public interface INonceStore
{
    /// <summary>
    /// Records that key <paramref name="keyId"/> used <paramref name="nonce"/>, to be remembered until
    /// <paramref name="expiresAt"/>. <see cref="NonceUse.Accepted"/> the first time the pair is seen
    /// before it expires; <see cref="NonceUse.Replayed"/> for a replay; <see cref="NonceUse.Expired"/>
    /// for an <paramref name="expiresAt"/> not after <paramref name="now"/>;
    /// <see cref="NonceUse.KeyShareFull"/> or <see cref="NonceUse.StoreFull"/> when it cannot be
    /// remembered (fail closed: a replay must never pass because the store forgot). A replay is
    /// reported as such even when the key's share is full.
    /// </summary>
    NonceUse TryUse(Guid keyId, string nonce, DateTimeOffset expiresAt, DateTimeOffset now);
}
