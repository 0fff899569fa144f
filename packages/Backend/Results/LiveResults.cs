using System.Text.Json;

namespace Lightdash.Net.Backend.Results;

/// <summary>
/// What of a result still being written can already be read: each uploaded part is also put as an
/// object of its own beside the (not yet visible) multipart object, and a small manifest lists the
/// parts of the uploaded prefix and the byte offsets of the blocks of rows complete in it. Every
/// instance reads pages of an executing query from there; the objects go when the result is done.
/// </summary>
public static class LiveResults
{
    /// <summary>The prefix of a result's live objects.</summary>
    public static string Prefix(string key) => key + ".live/";

    /// <summary>The copy of part <paramref name="partNumber"/>.</summary>
    public static string PartKey(string key, int partNumber) => $"{Prefix(key)}part-{partNumber}";

    /// <summary>The manifest.</summary>
    public static string ManifestKey(string key) => Prefix(key) + "manifest.json";

    /// <summary>The readable prefix of a result being written.</summary>
    /// <param name="PartEnds">The end offset (exclusive) of each uploaded part, in order; part n (from 1) starts where part n-1 ends.</param>
    /// <param name="BlockOffsets">The offset of each complete block's first row, then the end of the last complete block.</param>
    /// <param name="BlockRows">Rows per block.</param>
    public sealed record Manifest(IReadOnlyList<long> PartEnds, IReadOnlyList<long> BlockOffsets, int BlockRows)
    {
        /// <summary>Rows readable now (whole blocks).</summary>
        public long Rows => Math.Max(0, BlockOffsets.Count - 1) * (long)BlockRows;

        /// <summary>The manifest as stored.</summary>
        public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this, JsonSerializerOptions.Web);

        /// <summary>A stored manifest.</summary>
        public static Manifest Decode(Stream stream) => JsonSerializer.Deserialize<Manifest>(stream, JsonSerializerOptions.Web)!;
    }
}
