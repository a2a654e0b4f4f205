using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Signatures;

/// <summary>Settings of request signatures, bound from <c>Signatures</c>.</summary>
public sealed class SignatureOptions : IValidatableObject
{
    public const string Section = "Signatures";

    /// <summary>The smallest per-key share that may be configured.</summary>
    public const int MinNonceCapacityPerKey = 100;

    /// <summary>
    /// How many nonces the in-memory store holds at once (32 to 64 bytes each). Nonces are
    /// kept 330 s; when the store is full of unexpired ones, signed requests are refused rather than
    /// a nonce forgotten, and the refusals counted (<c>portal.signatures.nonce_store_full</c>).
    /// </summary>
    [Range(1_000, 100_000_000, ErrorMessage = "Signatures:NonceCapacity must be between 1000 and 100000000.")]
    public int NonceCapacity { get; set; } = InMemoryNonceStore.DefaultCapacity;

    /// <summary>
    /// How many unexpired nonces one key may hold, so that one key cannot fill the store and have
    /// every other key's signed requests refused. Unset: a tenth of <see cref="NonceCapacity"/>
    /// (100,000 by default: about 300 signed requests a second per key, sustained over the 330 s a
    /// nonce is kept). When set: from <see cref="MinNonceCapacityPerKey"/> to <see cref="NonceCapacity"/>.
    /// A key over its share has its signed requests refused (<c>portal.signatures.nonce_key_share_full</c>).
    /// </summary>
    public int? NonceCapacityPerKey { get; set; }

    /// <summary>The share in force: <see cref="NonceCapacityPerKey"/>, or a tenth of <see cref="NonceCapacity"/>.</summary>
    public int EffectiveNonceCapacityPerKey => NonceCapacityPerKey ?? DefaultNonceCapacityPerKey(NonceCapacity);

    /// <summary>The share of one key when none is configured: a tenth of <paramref name="capacity"/>, at least 1.</summary>
    public static int DefaultNonceCapacityPerKey(int capacity) => Math.Max(1, capacity / 10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (NonceCapacityPerKey is { } share && (share < MinNonceCapacityPerKey || share > NonceCapacity))
        {
            yield return new ValidationResult(
                $"Signatures:NonceCapacityPerKey must be between {MinNonceCapacityPerKey} and Signatures:NonceCapacity ({NonceCapacity}).",
                [nameof(NonceCapacityPerKey)]);
        }
    }
}
