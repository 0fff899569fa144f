using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Access;

/// <summary>
/// Encrypts secrets before they are stored and decrypts them when read: AES-256-GCM with a random
/// nonce, the column's name as associated data (a value copied into another column does not decrypt),
/// stored as <c>ldenc:v1:{keyId}:{base64 of nonce, ciphertext and tag}</c>. The key id names which key
/// encrypted a value, so keys can be rotated: values under a previous key are still read, and are
/// encrypted again under the current key at start-up. A value without the prefix was stored before
/// encryption existed: it is read as it is, and encrypted at start-up.
/// </summary>
public sealed class SecretBox
{
    private const string Prefix = "ldenc:v1:";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly (string Id, byte[] Key) _current;
    private readonly Dictionary<string, byte[]> _keys;

    /// <summary>The box of the configured keys.</summary>
    public SecretBox(IOptions<SecretsOptions> options)
        : this(Convert.FromBase64String(options.Value.Key!.Trim()), options.Value.PreviousKeys.Select(k => Convert.FromBase64String(k.Trim())))
    {
    }

    /// <summary>A box with these keys (the first encrypts).</summary>
    public SecretBox(byte[] key, IEnumerable<byte[]> previousKeys)
    {
        _current = (IdOf(key), key);
        _keys = previousKeys.Append(key).ToDictionary(IdOf, k => k);
    }

    /// <summary>The current key's id, as it appears in what it encrypts.</summary>
    public string CurrentKeyId => _current.Id;

    /// <summary>The value encrypted under the current key, for <paramref name="column"/>.</summary>
    public string Protect(string value, string column)
    {
        var plain = Encoding.UTF8.GetBytes(value);
        var sealedBytes = new byte[NonceSize + plain.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_current.Key, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length), Encoding.UTF8.GetBytes(column));
        return $"{Prefix}{_current.Id}:{Convert.ToBase64String(sealedBytes)}";
    }

    /// <summary>The stored value decrypted (a value stored before encryption, as it is).</summary>
    /// <exception cref="CryptographicException">It was encrypted under a key this box does not hold, or altered.</exception>
    public string Unprotect(string stored, string column)
    {
        if (!stored.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return stored;
        }

        var parts = stored[Prefix.Length..].Split(':', 2);
        if (parts.Length != 2 || !_keys.TryGetValue(parts[0], out var key))
        {
            throw new CryptographicException(
                $"A stored secret ({column}) was encrypted under key {(parts.Length == 2 ? parts[0] : "?")}, which is neither Secrets:Key nor one of Secrets:PreviousKeys.");
        }

        var sealedBytes = Convert.FromBase64String(parts[1]);
        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length), plain, Encoding.UTF8.GetBytes(column));
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>True when the stored value is not encrypted under the current key (stored before encryption, or under a previous key).</summary>
    public bool NeedsRewrap(string stored) => !stored.StartsWith($"{Prefix}{_current.Id}:", StringComparison.Ordinal);

    /// <summary>A JSON array of targets with each <c>secret</c> encrypted (or, with <paramref name="protect"/> false, decrypted).</summary>
    public string TransformSecretsInJson(string json, string column, bool protect)
    {
        if (JsonNode.Parse(json) is not JsonArray targets)
        {
            return json;
        }

        foreach (var target in targets.OfType<JsonObject>())
        {
            if (target["secret"] is JsonValue secret && secret.TryGetValue<string>(out var value) && value.Length > 0)
            {
                target["secret"] = protect ? Protect(Unprotect(value, column), column) : Unprotect(value, column);
            }
        }

        return targets.ToJsonString();
    }

    /// <summary>True when a <c>secret</c> of the JSON array of targets is not encrypted under the current key.</summary>
    public bool SecretsInJsonNeedRewrap(string json) =>
        JsonNode.Parse(json) is JsonArray targets && targets.OfType<JsonObject>().Any(t =>
            t["secret"] is JsonValue secret && secret.TryGetValue<string>(out var value) && value.Length > 0 && NeedsRewrap(value));

    private static string IdOf(byte[] key) => Convert.ToHexStringLower(SHA256.HashData(key))[..8];
}
