using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Options;
using Portal.Core.Data;

namespace Portal.Account;

/// <summary>
/// The key that encrypts the Data Protection key ring at rest. The ring itself lives in the
/// database; this key must not, or a database dump alone would yield every cookie key.
/// </summary>
public sealed class MasterKeyOptions
{
    public const string Section = "DataProtection";

    /// <summary>32 bytes in base64. When empty, a key file in the data folder is used (created on first run).</summary>
    public string? MasterKey { get; set; }
}

internal sealed class MasterKeyOptionsValidator : IValidateOptions<MasterKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, MasterKeyOptions options) =>
        string.IsNullOrWhiteSpace(options.MasterKey) || MasterKey.TryDecode(options.MasterKey, out _)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{MasterKeyOptions.Section}:{nameof(MasterKeyOptions.MasterKey)} must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`).");
}

/// <summary>The 256-bit master key, from configuration or from the owner-only key file.</summary>
public sealed class MasterKey
{
    public const string FileName = "dataprotection-master.key";

    private MasterKey(byte[] bytes) => Bytes = bytes;

    internal byte[] Bytes { get; }

    public static MasterKey Load(MasterKeyOptions options, string dataDirectory)
    {
        if (!string.IsNullOrWhiteSpace(options.MasterKey))
        {
            return TryDecode(options.MasterKey, out var configured)
                ? new MasterKey(configured)
                : throw new OptionsValidationException(MasterKeyOptions.Section, typeof(MasterKeyOptions),
                    [$"{MasterKeyOptions.Section}:{nameof(MasterKeyOptions.MasterKey)} must be 32 random bytes in base64."]);
        }

        var file = Path.Combine(dataDirectory, FileName);
        var text = SecretFile.ReadOrCreate(file, () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        return TryDecode(text.Trim(), out var stored)
            ? new MasterKey(stored)
            : throw new InvalidOperationException($"The master key file '{file}' is not 32 bytes in base64. Restore it from backup; without it the key ring cannot be read.");
    }

    internal static bool TryDecode(string value, out byte[] bytes)
    {
        bytes = new byte[32];
        return Convert.TryFromBase64String(value.Trim(), bytes, out var written) && written == 32;
    }
}

/// <summary>
/// Encrypts each Data Protection key element with AES-256-GCM under the master key. The element
/// is replaced by <c>&lt;encryptedKey nonce tag&gt;ciphertext&lt;/encryptedKey&gt;</c>.
/// </summary>
internal sealed class MasterKeyXmlEncryptor(MasterKey key) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plaintext = System.Text.Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using (var aes = new AesGcm(key.Bytes, tag.Length))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag);
        }

        CryptographicOperations.ZeroMemory(plaintext);
        var element = new XElement("encryptedKey",
            new XAttribute("nonce", Convert.ToBase64String(nonce)),
            new XAttribute("tag", Convert.ToBase64String(tag)),
            Convert.ToBase64String(ciphertext));
        return new EncryptedXmlInfo(element, typeof(MasterKeyXmlDecryptor));
    }
}

/// <summary>Reverses <see cref="MasterKeyXmlEncryptor"/>; created by Data Protection through its service provider.</summary>
internal sealed class MasterKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var key = services.GetRequiredService<MasterKey>();
        var nonce = Convert.FromBase64String((string)encryptedElement.Attribute("nonce")!);
        var tag = Convert.FromBase64String((string)encryptedElement.Attribute("tag")!);
        var ciphertext = Convert.FromBase64String(encryptedElement.Value);
        var plaintext = new byte[ciphertext.Length];
        using (var aes = new AesGcm(key.Bytes, tag.Length))
        {
            // Throws AuthenticationTagMismatchException with a different master key: no silent garbage.
            aes.Decrypt(nonce, ciphertext, tag, plaintext);
        }

        try
        {
            return XElement.Parse(System.Text.Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
