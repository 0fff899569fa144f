using System.Security.Cryptography;
using System.Text;

namespace Lightdash.Net.Backend.Access;

/// <summary>Making and recognising personal access tokens: 256 random bits, stored only as their SHA-256.</summary>
public static class PersonalAccessTokens
{
    /// <summary>Every token starts with this, so that leaked tokens can be found by secret scanners.</summary>
    public const string Prefix = "ldpat_";

    /// <summary>A new random token (256 bits, base64url).</summary>
    public static string Generate() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>The stored hash of a token.</summary>
    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>A few characters to recognise a token by, never enough to use it.</summary>
    public static string Hint(string token) => token.Length > Prefix.Length + 4 ? token[..(Prefix.Length + 4)] + "…" : Prefix + "…";

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
