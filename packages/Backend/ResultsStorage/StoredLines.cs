using System.IO.Compression;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>Reads the JSON lines of a stored result whatever its encoding (the key says which).</summary>
public static class StoredLines
{
    /// <summary>
    /// The plain lines of <paramref name="stored"/>, bytes read from the object at <paramref name="resultsKey"/>
    /// (whole, or a range that starts and ends on gzip members). Disposing the result disposes <paramref name="stored"/>.
    /// </summary>
    public static Stream Decode(string resultsKey, Stream stored) =>
        ResultsObjectKeys.CompressionOf(resultsKey) == ResultsCompression.Gzip ? new GZipStream(stored, CompressionMode.Decompress) : stored;

    /// <summary>
    /// Opens the stored result at <paramref name="resultsKey"/> whole and decodes it. Gzip members carry their own
    /// CRC-32, which the decoder checks, so the object is read without the SDK's MD5 of every byte.
    /// </summary>
    public static async Task<Stream> OpenAsync(ResultsBucketClient storage, string resultsKey, CancellationToken cancellationToken) =>
        Decode(
            resultsKey,
            ResultsObjectKeys.CompressionOf(resultsKey) == ResultsCompression.Gzip
                ? await storage.OpenSelfCheckedAsync(resultsKey, cancellationToken)
                : await storage.OpenAsync(resultsKey, cancellationToken));
}
