namespace Portal.Core.Signatures;

/// <summary>
/// The answer of <see cref="INonceStore.TryUse"/>. Only <see cref="Accepted"/> lets a signed request
/// through; the default value is <see cref="Replayed"/>, so a forgotten answer fails closed.
/// </summary>
public enum NonceUse
{
    /// <summary>The key already used this nonce, and it has not expired: a replay (RFC 9421 section 7.2.2).</summary>
    Replayed = 0,

    /// <summary>The first use of this nonce by this key: it is remembered until its expiry.</summary>
    Accepted = 1,

    /// <summary>
    /// The key already holds its share of unexpired nonces (<c>Signatures:NonceCapacityPerKey</c>):
    /// refused rather than forget one, and so that one key cannot fill the store for the others.
    /// </summary>
    KeyShareFull = 2,

    /// <summary>
    /// The store is full of unexpired nonces (<c>Signatures:NonceCapacity</c>): refused rather than
    /// forget one, since a forgotten nonce could be replayed.
    /// </summary>
    StoreFull = 3,

    /// <summary>The expiry given is not after now: there is nothing left to remember, so it is refused.</summary>
    Expired = 4,
}
