using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Signatures;

/// <summary>Settings of request signatures, bound from <c>Signatures</c>.</summary>
public sealed class SignatureOptions
{
    public const string Section = "Signatures";

    /// <summary>
    /// How many nonces the in-memory store holds at once (32 to 64 bytes each). Nonces are
    /// kept 330 s; when the store is full of unexpired ones, signed requests are refused rather than
    /// a nonce forgotten, and the refusals counted (<c>portal.signatures.nonce_store_full</c>).
    /// </summary>
    [Range(1_000, 100_000_000, ErrorMessage = "Signatures:NonceCapacity must be between 1000 and 100000000.")]
    public int NonceCapacity { get; set; } = InMemoryNonceStore.DefaultCapacity;
}
