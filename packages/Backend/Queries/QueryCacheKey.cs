using System.Security.Cryptography;
using System.Text;

namespace Lightdash.Net.Backend.Queries;

/// <summary>The results cache key: what makes two queries' results interchangeable.</summary>
public static class QueryCacheKey
{
    /// <summary>Bumped whenever the stored results format changes, so old results are never reused.</summary>
    public const string FormatVersion = "lightdash-net-results-v1";

    /// <summary>
    /// SHA-256 (hex) over the format version, project, SQL, row limit and time zone, and the user whose
    /// own warehouse login runs the SQL where the project requires one (another login may see other rows).
    /// </summary>
    public static string Compute(Guid projectUuid, string sql, long? limit, string timezone, Guid? loginOwner = null)
    {
        // Length-prefixed parts: no two different inputs share a key through clever concatenation.
        var text = new StringBuilder();
        string[] parts = [FormatVersion, projectUuid.ToString("D"), sql, limit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all", timezone];
        foreach (var part in loginOwner is { } owner ? [.. parts, "login:" + owner.ToString("D")] : parts)
        {
            text.Append(part.Length).Append(':').Append(part).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
