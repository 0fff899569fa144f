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
}
