using System.Collections.Frozen;
using System.Security.Cryptography;

namespace Lightdash.Net.Backend.Browser;

/// <summary>
/// The results browser's files (HTML, CSS, JavaScript modules), embedded in the assembly so that any
/// build or publish serves them; read once, each with its media type and an ETag of its bytes.
/// </summary>
public sealed class BrowserAssets
{
    private static readonly FrozenDictionary<string, string> MediaTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary();

    private readonly FrozenDictionary<string, BrowserAsset> _assets;

    /// <summary>Reads every embedded file under <c>browser/</c>.</summary>
    public BrowserAssets()
    {
        var assembly = typeof(BrowserAssets).Assembly;
        var assets = new Dictionary<string, BrowserAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var name = resource[Prefix.Length..];
            var bytes = copy.ToArray();
            assets[name] = new BrowserAsset(bytes, MediaTypes.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream"), $"\"{Convert.ToHexString(SHA256.HashData(bytes))[..16]}\"");
        }

        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The resource name prefix of the browser's files.</summary>
    public const string Prefix = "browser/";

    /// <summary>The file named <paramref name="name"/> (as <c>app.js</c>), or null.</summary>
    public BrowserAsset? Find(string name) => _assets.GetValueOrDefault(name);
}

/// <summary>One file of the results browser.</summary>
/// <param name="Bytes">Its content.</param>
/// <param name="MediaType">Its <c>Content-Type</c>.</param>
/// <param name="ETag">A strong validator of its bytes.</param>
public sealed record BrowserAsset(byte[] Bytes, string MediaType, string ETag);
