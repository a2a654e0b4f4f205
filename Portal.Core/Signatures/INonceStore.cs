namespace Portal.Core.Signatures;

/// <summary>
/// Remembers the signature nonces a key has used, so a signed request cannot be replayed while its
/// signature is still fresh (RFC 9421 section 7.2.2). One interface, so a shared store can replace
/// the in-memory one when several nodes answer for the same keys.
/// </summary>
public interface INonceStore
{
    /// <summary>
    /// Records that key <paramref name="keyId"/> used <paramref name="nonce"/>, to be remembered until
    /// <paramref name="expiresAt"/>. True the first time the pair is seen before it expires; false
    /// for a replay, for an <paramref name="expiresAt"/> not after <paramref name="now"/>, and when the
    /// store cannot remember it (fail closed: a replay must never pass because the store forgot).
    /// </summary>
    bool TryUse(Guid keyId, string nonce, DateTimeOffset expiresAt, DateTimeOffset now);
}
