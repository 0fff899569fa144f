using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Lightdash.Net.Client;

/// <summary>
/// Checks a completion callback (or a delivery webhook): the server signs <c>{timestamp}.{body}</c> with
/// HMAC-SHA256 under the callback's secret and sends <c>X-Lightdash-Timestamp</c> (Unix seconds) and
/// <c>X-Lightdash-Signature: sha256=&lt;hex&gt;</c>. A body replayed later fails the time check.
/// </summary>
public static class CallbackSignature
{
    /// <summary>The signature header.</summary>
    public const string SignatureHeader = "X-Lightdash-Signature";

    /// <summary>The timestamp header.</summary>
    public const string TimestampHeader = "X-Lightdash-Timestamp";

    /// <summary>The signature the server sends for <paramref name="body"/> at <paramref name="timestamp"/>.</summary>
    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var prefix = Encoding.UTF8.GetBytes($"{timestamp.ToString(CultureInfo.InvariantCulture)}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>
    /// True when <paramref name="signature"/> is the secret's signature of the body at
    /// <paramref name="timestamp"/> and that time is within <paramref name="tolerance"/> (5 minutes when
    /// not given) of now. Compares in constant time.
    /// </summary>
    public static bool Verify(string secret, string? timestamp, string? signature, ReadOnlySpan<byte> body, TimeSpan? tolerance = null, DateTimeOffset? now = null)
    {
        if (timestamp is null || signature is null || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        var age = (now ?? DateTimeOffset.UtcNow) - DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (age.Duration() > (tolerance ?? TimeSpan.FromMinutes(5)))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(secret, seconds, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature));
    }
}
